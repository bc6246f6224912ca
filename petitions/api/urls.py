from django.urls import path

from . import views

urlpatterns = [
    path("petitions/", views.PetitionListApi.as_view(), name="petition-list"),
    path(
        "petitions/create/", views.PetitionCreateApi.as_view(), name="petition-create"
    ),
    path(
        "petitions/<int:petition_id>/",
        views.PetitionDetailApi.as_view(),
        name="petition-detail",
    ),
    *[
        path(
            f"petitions/<int:petition_id>/{action}/",
            view.as_view(),
            name=f"petition-{action}",
        )
        for action, view in views.TRANSITION_APIS.items()
    ],
]
