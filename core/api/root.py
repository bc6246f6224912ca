"""``/api/v1/``: the API's entry points, so that its address leads somewhere."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

PREFIX = "api/v1/"


def _entry_names(patterns, prefix="") -> list[tuple[str, str]]:
    """(route, url name) of every pattern without parameters, in order."""
    found = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _entry_names(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and entry.name and "<" not in route:
            found.append((route, entry.name))
    return found


def api_entry_points() -> dict[str, str]:
    """Return {route: path} of the API's list and report endpoints."""
    points = {}
    for route, name in _entry_names(get_resolver().url_patterns):
        if route.startswith(PREFIX) and route != PREFIX:
            key = route[len(PREFIX) :].strip("/^$")
            points.setdefault(key, reverse(name))
    return dict(sorted(points.items()))


class ApiRootApi(APIView):
    """List the API's entry points, the schema and the docs. Reading any of
    them needs a staff login (or a dashboard token for the statistics)."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        def absolute(path):
            return request.build_absolute_uri(path)

        return Response(
            {
                "endpoints": {
                    key: absolute(path) for key, path in api_entry_points().items()
                },
                "schema": absolute(reverse("api-schema")),
                "docs": absolute(reverse("api-docs")),
            }
        )
