from django.urls import path

from . import views

urlpatterns = [
    path(
        "stats/petitions/summary/",
        views.PetitionSummaryApi.as_view(),
        name="stats-petition-summary",
    ),
    path(
        "stats/petitions/ranking/",
        views.PetitionRankingApi.as_view(),
        name="stats-petition-ranking",
    ),
]
