from django.urls import path

app_name = "open311"

# Filled in by petitions/open311/views.py.
urlpatterns: list = []
