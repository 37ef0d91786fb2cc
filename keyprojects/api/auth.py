"""Who is calling: a bearer token, or the browser session of a signed-in person."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting, current

from .models import ApiToken

# Writing the time of every call would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key issued by `issue_token` or the tokens page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = ApiToken.authenticate(token.strip())
        if api_token is None:
            return None
        now = timezone.now()
        last = api_token.last_used_at
        if last is None or now - last >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The browser session; a write must carry the CSRF token as a page form would."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if (
            request.method not in SAFE_METHODS
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise HttpError(403, _("CSRF verification failed. Request aborted."))
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return None  # unused: __call__ reads the session, not the cookie's value


def caller(request: HttpRequest) -> Any:
    """The person an operation runs for, as authentication found them."""
    # django-ninja sets `auth` on the request at run time; HttpRequest does not declare it.
    return request.auth  # type: ignore[attr-defined]


def act_as_caller(view: Callable[..., Any]) -> Callable[..., Any]:
    """Attribute the operation's changes to the authenticated person, through the API.

    The audit middleware ran before authentication, so it knows a session user but not
    a token's owner.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        correlation_id = current().correlation_id
        with acting(actor=caller(request), channel=Channel.API, correlation_id=correlation_id):
            return view(request, *args, **kwargs)

    return wrapper
