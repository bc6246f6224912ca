from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("c/<int:community_id>/volunteers/", views.community_page, name="community"),
    path("c/<int:community_id>/wishes/", views.wish_post, name="wish-post"),
    path("activities/<int:activity_id>/sign-up/", views.sign_up, name="sign-up"),
    path("activities/<str:token>/check-in/", views.check_in, name="check-in"),
    path("wishes/<int:wish_id>/claim/", views.wish_claim, name="wish-claim"),
    path("lists/<int:item_id>/claim/", views.service_item_claim, name="list-claim"),
    path(
        "activities/<int:activity_id>/cancel/",
        views.sign_up_cancel,
        name="sign-up-cancel",
    ),
    path("wishes/<int:wish_id>/fulfil/", views.wish_fulfil, name="wish-fulfil"),
    path("c/<int:community_id>/register/", views.register, name="register"),
]
