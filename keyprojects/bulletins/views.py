"""Bulletin pages: the archive, a draft being edited and made, a published bulletin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import services
from .choices import CONTENT_TYPES, BulletinStatus, FileKind
from .forms import BulletinForm, NewBulletinForm
from .models import Bulletin, BulletinPublished, BulletinQuerySet, published_refusal
from .rendering import document_for, html, preview_photo_src


def _visible(request: HttpRequest) -> BulletinQuerySet:
    return Bulletin.objects.visible_to(request.user).select_related(
        "jurisdiction", "published_by", "created_by"
    )


def bulletin_for(request: HttpRequest, pk: int, *, edit: bool = False) -> Bulletin:
    """The bulletin as the person may see it: 404 outside their view, 403 when `edit` is
    asked and they may only read it."""
    bulletin = get_object_or_404(_visible(request), pk=pk)
    if edit and not Bulletin.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return bulletin


def _can_edit(request: HttpRequest, bulletin: Bulletin) -> bool:
    return Bulletin.objects.editable_by(request.user).filter(pk=bulletin.pk).exists()


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_GET
def bulletin_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, NewBulletinForm())


def _render_list(request: HttpRequest, form: NewBulletinForm, status: int = 200) -> HttpResponse:
    user: Any = request.user
    bulletins = _visible(request).order_by("-year", "-month", "-number")
    years = sorted(set(bulletins.values_list("year", flat=True)), reverse=True)
    year = request.GET.get("year", "")
    if year.isdigit():
        bulletins = bulletins.filter(year=int(year))
    return render(
        request,
        "bulletins/list.html",
        {
            "nav": "bulletins",
            "bulletins": bulletins,
            "years": years,
            "year": year,
            "form": form if user.is_programme_office and user.jurisdiction_id else None,
        },
        status=status,
    )


@login_required
@require_POST
def bulletin_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.is_programme_office:
        raise PermissionDenied
    if user.jurisdiction is None:
        raise PermissionDenied
    form = NewBulletinForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form, status=422)
    try:
        bulletin = services.bulletin_create(
            jurisdiction=user.jurisdiction,
            year=form.cleaned_data["year"],
            month=form.cleaned_data["month"],
            user=user,
        )
    except ValidationError as error:
        form.add_error(None, _messages(error))
        return _render_list(request, form, status=422)
    services.bulletin_start_job(
        bulletin=bulletin, user=user, refresh=True, language=get_language() or ""
    )
    messages.success(request, _("The draft was made; its figures are being drafted."))
    return redirect("bulletins:detail", bulletin.pk)


@login_required
@require_GET
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = bulletin_for(request, pk)
    return _render_detail(request, bulletin)


def _render_detail(
    request: HttpRequest,
    bulletin: Bulletin,
    *,
    form: BulletinForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    can_edit = _can_edit(request, bulletin) and not bulletin.is_published
    content = services.content_of(bulletin)
    preview = ""
    if content is not None:
        doc = document_for(bulletin, content)
        preview = html(doc, for_print=False, photo_src=preview_photo_src(doc))
    job = services.current_job(bulletin) if can_edit else None
    if can_edit and form is None:
        form = BulletinForm(instance=bulletin)
    return render(
        request,
        "bulletins/detail.html",
        {
            "nav": "bulletins",
            "bulletin": bulletin,
            "preview": preview,
            "can_edit": can_edit,
            "form": form,
            "job": job,
            "busy": services.job_busy(job),
            "files_current": services.files_current(bulletin),
            "error": error,
            "kinds": FileKind,
        },
        status=status,
    )


def _refused(request: HttpRequest, bulletin: Bulletin, error: ValidationError) -> HttpResponse:
    """A refused change: the page again, with the reason, and nothing changed."""
    fresh = bulletin_for(request, bulletin.pk)
    status = 409 if isinstance(error, BulletinPublished) else 400
    return _render_detail(request, fresh, error=_messages(error), status=status)


@login_required
@require_POST
def bulletin_edit(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = bulletin_for(request, pk, edit=True)
    if bulletin.is_published:
        return _refused(request, bulletin, published_refusal())
    form = BulletinForm(request.POST, instance=bulletin)
    if not form.is_valid():
        fresh = bulletin_for(request, pk)
        return _render_detail(request, fresh, form=form, status=422)
    try:
        services.bulletin_update(
            bulletin=bulletin, version=form.cleaned_data["version"], **form.changes()
        )
    except ValidationError as error:
        return _refused(request, bulletin, error)
    messages.success(request, _("Saved. Make the files again to include the change."))
    return redirect("bulletins:detail", pk)


def _start(request: HttpRequest, pk: int, *, refresh: bool, publish: bool) -> HttpResponse:
    bulletin = bulletin_for(request, pk, edit=True)
    try:
        if publish and services.files_current(bulletin):
            services.bulletin_publish(bulletin=bulletin, user=request.user)
            messages.success(request, _("The bulletin was published."))
            return redirect("bulletins:detail", pk)
        services.bulletin_start_job(
            bulletin=bulletin,
            user=request.user,
            refresh=refresh,
            publish=publish,
            language=get_language() or "",
        )
    except ValidationError as error:
        return _refused(request, bulletin, error)
    return redirect("bulletins:detail", pk)


@login_required
@require_POST
def bulletin_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    return _start(request, pk, refresh=True, publish=False)


@login_required
@require_POST
def bulletin_make_files(request: HttpRequest, pk: int) -> HttpResponse:
    return _start(request, pk, refresh=False, publish=False)


@login_required
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _start(request, pk, refresh=False, publish=True)


@login_required
@require_POST
def bulletin_delete(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = bulletin_for(request, pk, edit=True)
    try:
        services.bulletin_delete(bulletin=bulletin)
    except ValidationError as error:
        return _refused(request, bulletin, error)
    messages.success(request, _("The draft was deleted."))
    return redirect("bulletins:list")


@login_required
@require_GET
def bulletin_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of the bulletin's background work, polled by the page. When the work
    ends while the page watches, the page reloads to show its outcome."""
    bulletin = bulletin_for(request, pk, edit=True)
    job = services.current_job(bulletin)
    busy = services.job_busy(job)
    response = render(
        request, "bulletins/_job.html", {"bulletin": bulletin, "job": job, "busy": busy}
    )
    if request.GET.get("poll") and not busy:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def bulletin_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The document as it prints, in a page of its own."""
    bulletin = bulletin_for(request, pk)
    content = services.content_of(bulletin)
    if content is None:
        raise Http404
    doc = document_for(bulletin, content)
    return HttpResponse(html(doc, for_print=True, photo_src=preview_photo_src(doc)))


@login_required
@require_GET
def bulletin_download(request: HttpRequest, pk: int, kind: str) -> HttpResponseBase:
    if kind not in FileKind.values:
        raise Http404
    bulletin = bulletin_for(request, pk)
    stored = bulletin.file_of(kind)
    if not stored:
        raise Http404
    if bulletin.status == BulletinStatus.PUBLISHED and not bulletin.file_intact(kind):
        return HttpResponse(
            _(
                "The archived file no longer matches the fingerprint recorded when it was "
                "published; it is not served. Tell the administrator."
            ),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    filename = f"{bulletin.title}（{bulletin.number_label}）.{kind}"
    response = FileResponse(
        stored.open("rb"), as_attachment=True, filename=filename, content_type=CONTENT_TYPES[kind]
    )
    sha = bulletin.sha256_of(kind)
    if sha:
        response["X-Content-SHA256"] = sha
    return response
