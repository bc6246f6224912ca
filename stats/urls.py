from django.urls import path

from . import views

urlpatterns = [
    path("stats/dashboard/", views.dashboard, name="stats-dashboard"),
]
