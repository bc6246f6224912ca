from django.urls import path

from . import views_site

app_name = "site"

urlpatterns = [
    path("", views_site.HomeView.as_view(), name="home"),
]
