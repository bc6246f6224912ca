from django.urls import path

from . import views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<int:pk>/", views.case, name="case"),
    path(
        "cases/<int:petition_id>/voice/<int:pk>/",
        views.voice_note,
        name="voice-note",
    ),
]
