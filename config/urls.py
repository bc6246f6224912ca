from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core.api.root import ApiRootApi
from core.display import elder_mode_set
from core.views import api_docs_view, api_schema_view, healthz
from petitions.links import short_link_view

# A database that cannot be reached answers 503 "try again", not 500.
handler500 = "core.views.server_error"

admin.site.site_header = _("Red-property governance platform")
admin.site.site_title = _("Red-property governance")
admin.site.index_title = _("Community work")

urlpatterns = [
    path("", include("grids.urls_site")),
    path("", include("grids.residents.urls")),
    path("", include("petitions.urls")),
    path("", include("deliberation.urls")),
    path("", include("volunteers.urls")),
    path("", include("stats.urls")),
    # The staff workbench on a phone: cases (petitions), field work (grids).
    path("staff/", include("petitions.workbench.urls")),
    path("staff/", include("grids.urls")),
    # Short links to a case in text messages (petitions/links.py).
    path("t/<str:code>", short_link_view, name="short-link"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("display/elder/", elder_mode_set, name="elder-mode"),
    path("api/v1/", ApiRootApi.as_view(), name="api-root"),
    path("api/v1/", include("grids.api.urls")),
    path("api/v1/", include("petitions.api.urls")),
    path("api/v1/", include("deliberation.api.urls")),
    path("api/v1/", include("volunteers.api.urls")),
    path("api/v1/", include("stats.api.urls")),
    path("open311/v2/", include("petitions.open311.urls")),
    path("api/schema/", api_schema_view, name="api-schema"),
    path("api/docs/", api_docs_view, name="api-docs"),
]

# Addresses below /api/ that match nothing answer JSON like the API's own 404.
handler404 = "core.views.not_found"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
