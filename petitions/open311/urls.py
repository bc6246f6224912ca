"""GeoReport v2 addresses below /open311/v2/: ``<resource>.<format>``.

A missing extension means JSON; an unknown one, or any other address below the
endpoint, is answered with a spec error rather than Django's HTML page.
"""

from django.urls import re_path

from . import views

app_name = "open311"

FORMAT = r"(?:\.(?P<fmt>[^/]*))?"

urlpatterns = [
    re_path(r"^$", views.discovery_view, name="root"),
    re_path(rf"^discovery{FORMAT}$", views.discovery_view, name="discovery"),
    re_path(rf"^services{FORMAT}$", views.service_list_view, name="services"),
    re_path(
        rf"^services/(?P<service_code>[^/.]+){FORMAT}$",
        views.service_definition_view,
        name="service-definition",
    ),
    re_path(rf"^requests{FORMAT}$", views.request_list_view, name="requests"),
    re_path(
        rf"^requests/(?P<service_request_id>[^/.]+){FORMAT}$",
        views.request_detail_view,
        name="request-detail",
    ),
    re_path(rf"^tokens/(?P<token>[^/.]+){FORMAT}$", views.token_view, name="token"),
    re_path(r"^.*?(?:\.(?P<fmt>xml|json))?$", views.not_found_view, name="not-found"),
]
