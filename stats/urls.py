from django.urls import path

from . import views

urlpatterns = [
    path("stats/dashboard/", views.dashboard, name="stats-dashboard"),
    path(
        "c/<int:community_id>/companies/",
        views.honour_list_page,
        name="stats-honour-list",
    ),
]
