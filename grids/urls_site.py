from django.urls import path

from . import views_site

app_name = "site"

urlpatterns = [
    path("", views_site.HomeView.as_view(), name="home"),
    path(
        "c/<int:community_id>/centres/",
        views_site.centre_list_page,
        name="centres",
    ),
    path(
        "c/<int:community_id>/notices/",
        views_site.notice_list_page,
        name="notices",
    ),
    path(
        "c/<int:community_id>/notices/<int:notice_id>/",
        views_site.notice_page,
        name="notice",
    ),
]
