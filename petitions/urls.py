from django.urls import path

from . import views

app_name = "petitions"

urlpatterns = [
    path("report/c/<int:community_id>/", views.ReportView.as_view(), name="report"),
    path(
        "report/b/<int:building_id>/",
        views.ReportView.as_view(),
        name="report-building",
    ),
    path("track/<str:token>/", views.track, name="track"),
    path("track/<str:token>/confirm/", views.track_confirm, name="track-confirm"),
    path("track/<str:token>/reopen/", views.track_reopen, name="track-reopen"),
    path("track/<str:token>/verify/", views.track_verify, name="track-verify"),
]
