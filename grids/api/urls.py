from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("subdistricts", views.SubdistrictViewSet, basename="subdistrict")
router.register("communities", views.CommunityViewSet, basename="community")
router.register("grids", views.GridViewSet, basename="grid")
router.register(
    "property-companies", views.PropertyCompanyViewSet, basename="property-company"
)
router.register("compounds", views.CompoundViewSet, basename="compound")
router.register("buildings", views.BuildingViewSet, basename="building")
router.register("households", views.HouseholdViewSet, basename="household")
router.register(
    "party-organizations", views.PartyOrganizationViewSet, basename="party-organization"
)

urlpatterns = router.urls
