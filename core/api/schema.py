"""The OpenAPI schema tells the truth about errors: every operation documents
the JSON error answers it can give (core.api.errors), not only its 200."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every error answer: a stable code, a message for people, and details
    (per field for invalid input)."""

    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.JSONField()


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: a parameter or the body is not valid (details per field).",
    "401": "Not signed in, or the token is invalid, expired or revoked.",
    "403": "Signed in, but not allowed (not staff, or no right to this data).",
    "404": "Not found, or outside the caller's units (answered alike).",
    "409": "Conflict: the record changed since it was read, or the step is not "
    "allowed in its state.",
    "429": "Too many requests, or signing in is locked for a while; see Retry-After.",
}


class PlatformAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the error answers every operation can
    give: 400, 401, 403, 404 and 429 everywhere, 409 for writes."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        # 404 everywhere: a record in the path, or a unit in the query, that
        # does not exist or lies outside the caller's units.
        codes = ["400", "401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, ERROR_DESCRIPTIONS[code]), code
                )
        return dict(sorted(responses.items()))
