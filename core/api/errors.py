"""Uniform JSON errors for the API: ``{"code", "message", "details"}``."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import ApplicationError


def api_exception_handler(exc, context):
    """Turn every expected error into JSON with a stable code; never a 500 for bad
    input (Django's ValidationError from a service becomes a 400)."""
    if isinstance(exc, DjangoValidationError):
        details = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        return Response(
            {"code": "invalid", "message": _("Invalid input."), "details": details},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, ApplicationError):
        return Response(
            {"code": exc.code, "message": exc.message, "details": exc.extra},
            status=exc.status_code,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "message": _("Invalid input."),
            "details": response.data,
        }
    elif isinstance(exc, exceptions.APIException):
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else ""
        )
        response.data = {
            "code": getattr(detail, "code", None) or exc.default_code,
            "message": str(detail),
            "details": {},
        }
    return response
