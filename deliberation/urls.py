from django.urls import path

from . import views

app_name = "deliberation"

urlpatterns = [
    path("meetings/<str:token>/sign-in/", views.sign_in, name="sign-in"),
    path("c/<int:community_id>/deliberation/", views.community_page, name="community"),
    path("c/<int:community_id>/meetings/", views.calendar_page, name="calendar"),
    path(
        "c/<int:community_id>/disclosures/",
        views.disclosure_page,
        name="disclosure",
    ),
    path(
        "c/<int:community_id>/matters/<int:matter_id>/",
        views.vote_page,
        name="vote",
    ),
    path("proposals/<int:proposal_id>/support/", views.support, name="support"),
]
