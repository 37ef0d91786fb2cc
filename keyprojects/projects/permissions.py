"""Page-level checks. Record-level visibility is the queryset's (`visible_to`, `editable_by`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from .models import Project


def programme_office_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_programme_office:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def project_for(request: HttpRequest, pk: int, *, edit: bool = False) -> Project:
    """The project `pk` as the person may see it: 404 outside their view, 403 when `edit` is
    asked and they may only read it. Every project page goes through here."""
    from django.shortcuts import get_object_or_404

    from .models import Project

    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    if edit and not can_edit(request, project):
        raise PermissionDenied
    return project


def can_edit(request: HttpRequest, project: Project) -> bool:
    from .models import Project

    return Project.objects.editable_by(request.user).filter(pk=project.pk).exists()
