from django.urls import path

from . import views

app_name = "field"

urlpatterns = [
    path("patrol/", views.patrol, name="patrol"),
    path("patrol/start/", views.patrol_start, name="patrol-start"),
    path("patrols/<int:pk>/", views.patrol_detail, name="patrol-detail"),
    path("patrols/<int:pk>/findings/", views.finding_add, name="finding-add"),
    path("patrols/<int:pk>/end/", views.patrol_end, name="patrol-end"),
    path(
        "findings/<int:pk>/follow-up/<slug:kind>/",
        views.finding_follow_up,
        name="finding-follow-up",
    ),
    path("visits/", views.visits, name="visits"),
    path("households/<int:pk>/", views.household, name="household"),
    path("households/<int:pk>/visits/", views.visit_add, name="visit-add"),
    path("households/<int:pk>/tags/", views.tag_add, name="tag-add"),
    path("household-tags/<int:pk>/remove/", views.tag_remove, name="tag-remove"),
    path("grids/", views.grids, name="grids"),
    path("grids/<int:pk>/", views.grid, name="grid"),
    path("buildings/<int:pk>/", views.building, name="building"),
]
