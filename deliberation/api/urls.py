from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("action-items", views.ActionItemViewSet, basename="action-item")
router.register("major-matters", views.MajorMatterViewSet, basename="major-matter")

urlpatterns = router.urls
