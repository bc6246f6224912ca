from django.urls import path

from . import views

app_name = "residents"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/verify/", views.verify, name="verify"),
    path("me/messages/", views.messages_set, name="messages"),
    path("me/logout/", views.logout, name="logout"),
    path("me/wechat/", views.wechat_bind, name="wechat"),
    path("me/wechat/done/", views.wechat_done, name="wechat-done"),
]
