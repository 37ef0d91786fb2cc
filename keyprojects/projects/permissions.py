"""Page-level checks. Record-level visibility is the queryset's (`visible_to`, `editable_by`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def programme_office_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_programme_office:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
