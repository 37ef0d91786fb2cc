"""Every error answers `{"detail": ..., "errors": {field: [messages]}}` in the caller's language.

Where Django already has the words (field validation, 404, CSRF), its catalog's messages
are reused, so they come translated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

Errors = dict[str, list[str]]


class ApiError(Exception):
    """An answer other than success, raised from an operation."""

    def __init__(self, status: int, detail: str, errors: Mapping[str, Sequence[str]] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors: Errors = {k: [str(m) for m in v] for k, v in (errors or {}).items()}


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, _("Some values are not valid."), {field: [message]})


def not_found() -> ApiError:
    return ApiError(404, _("Not found."))


def forbidden() -> ApiError:
    return ApiError(403, _("You may read this but not change it."))


def body(detail: str, errors: Errors | None = None, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or {}, **extra}


def errors_from_django(exc: DjangoValidationError) -> Errors:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def _pydantic_message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind.startswith("int_"):
        return _("Enter a whole number.")
    if kind.startswith(("decimal_", "float_")):
        return _("Enter a number.")
    if kind.startswith(("date_", "datetime_")):
        return _("Enter a valid date.")
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge")
        }
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le")
        }
    if kind == "extra_forbidden":
        return _("This field is unknown or cannot be changed here.")
    if kind == "string_too_long":
        return _("This value is too long.")
    return _("Enter a valid value.")


def errors_from_ninja(exc: NinjaValidationError) -> Errors:
    errors: Errors = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ("body", "<parameter>", "field", ...), ("query", "field"), ("path", "field")
        parts = loc[2:] if loc[:1] == ["body"] else loc[1:]
        field = ".".join(parts) or NON_FIELD_ERRORS
        errors.setdefault(field, []).append(_pydantic_message(error))
    return errors


def install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, content: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, content, status=status)

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, body(exc.detail, exc.errors))

    @api.exception_handler(NinjaValidationError)
    def on_invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(request, 422, body(_("Some values are not valid."), errors_from_ninja(exc)))

    @api.exception_handler(DjangoValidationError)
    def on_invalid_record(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(request, 422, body(_("Some values are not valid."), errors_from_django(exc)))

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        detail = _("Sign in, or send an API token in the header Authorization: Bearer <key>.")
        response = respond(request, 401, body(detail))
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = exc.message
        if exc.status_code == 400:  # ninja's only 400: a body that is not JSON
            detail = _("The request body is not valid JSON.")
        return respond(request, exc.status_code, body(detail))

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, body(_("Not found.")))

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, body(_("Forbidden")))

    @api.exception_handler(IntegrityError)
    def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        return respond(request, 409, body(_("The change conflicts with records saved meanwhile.")))


def api_root(request: HttpRequest) -> HttpResponse:
    """Where to read about the API."""
    return JsonResponse(
        {"docs": reverse("api:openapi-view"), "openapi": reverse("api:openapi-json")}
    )


def unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    """Anything under /api/ that is not an operation: JSON, never an HTML page.

    A path missing its final slash is redirected with 308, which keeps the method and body
    (Django's own slash redirect would turn a POST into a GET or fail).
    """
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not unknown_path:
            query = request.META.get("QUERY_STRING", "")
            target = request.path + "/" + (f"?{query}" if query else "")
            return HttpResponsePermanentRedirect(target, preserve_request=True)
    return JsonResponse(body(_("Not found.")), status=404)
