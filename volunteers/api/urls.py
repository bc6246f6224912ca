from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("wishes", views.WishViewSet, basename="wish")
router.register("stations", views.StationViewSet, basename="station")

urlpatterns = router.urls
