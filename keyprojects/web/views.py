from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.api.models import ApiToken
from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import verify_chain
from keyprojects.projects.filtersets import visible_units

from .media import may_read


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    units = visible_units(request.user).annotate(
        owned=Count("owned_projects", distinct=True),
        answered=Count("answered_projects", distinct=True),
    )
    q = request.GET.get("q", "").strip()
    if q:
        units = units.filter(name__icontains=q)
    return render(request, "web/units.html", {"nav": "units", "units": units, "q": q})


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.can_read_audit:
        raise PermissionDenied
    entries = AuditEntry.objects.select_related("actor")
    ids = user.visible_jurisdiction_ids()
    if ids is not None:
        entries = entries.filter(Q(jurisdiction_id__in=ids))
    model = request.GET.get("model", "")
    if model:
        entries = entries.filter(model=model)
    object_id = request.GET.get("object", "")
    if object_id:
        entries = entries.filter(object_id=object_id)
    page = Paginator(entries.order_by("-seq"), 50).get_page(request.GET.get("page"))
    check = verify_chain() if request.GET.get("verify") else None
    return render(
        request,
        "web/audit.html",
        {
            "nav": "audit",
            "page": page,
            "model": model,
            "verified": bool(request.GET.get("verify")),
            "problem": check,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    new_key = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        if not name:
            messages.error(request, _("Give the token a name, e.g. the script that uses it."))
        else:
            _token, new_key = ApiToken.issue(request.user, name)
    user: Any = request.user
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
    return render(request, "web/tokens.html", {"tokens": tokens, "new_key": new_key})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user_id=request.user.pk)
    token.delete()
    messages.success(request, _("The token was revoked."))
    return redirect("web:tokens")


@login_required
def media_file(request: HttpRequest, name: str) -> FileResponse:
    """An uploaded file, for the people who may read the record it belongs to (`media`);
    imports and archived bulletins are served only through their own views."""
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / name).resolve()
    if root not in target.parents or not target.is_file():
        raise Http404
    if not may_read(request.user, target.relative_to(root).as_posix()):
        raise Http404  # as if it were not there: a name says nothing to someone it is hidden from
    return FileResponse(target.open("rb"))
