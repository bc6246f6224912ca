from django.urls import path

from . import views

urlpatterns = [
    path("stats/summary/", views.SummaryApi.as_view(), name="stats-summary"),
    path("stats/series/", views.SeriesApi.as_view(), name="stats-series"),
    path("stats/ranking/", views.RankingApi.as_view(), name="stats-ranking"),
    path("stats/drilldown/", views.DrilldownApi.as_view(), name="stats-drilldown"),
    path("stats/targets/", views.TargetsApi.as_view(), name="stats-targets"),
    path("stats/case-mix/", views.CaseMixApi.as_view(), name="stats-case-mix"),
    path(
        "stats/evaluations/",
        views.EvaluationListApi.as_view(),
        name="stats-evaluations",
    ),
    path(
        "stats/honour-lists/",
        views.HonourListApi.as_view(),
        name="stats-honour-lists",
    ),
    # The first slice's addresses, kept for clients already reading them.
    path(
        "stats/petitions/summary/",
        views.SummaryApi.as_view(),
        name="stats-petition-summary",
    ),
    path(
        "stats/petitions/ranking/",
        views.RankingApi.as_view(),
        name="stats-petition-ranking",
    ),
]
