"""Excel in and out of the ledger: export with the page's filter; upload → preview → confirm."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from keyprojects.jobs.models import Job

from .choices import Batch
from .excel import LedgerPreview, ledger_export, ledger_preview
from .forms import ImportUploadForm
from .permissions import programme_office_required
from .tasks import import_ledger
from .views import ledger_queryset

PREVIEW_ROWS_SHOWN = 300
SESSION_KEY = "ledger_imports"


@login_required
def ledger_export_view(request: HttpRequest) -> HttpResponse:
    filterset, year = ledger_queryset(request)
    data = ledger_export(filterset.qs, year=year)
    assert data is not None
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"{year}年重点项目台账_{stamp}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response


def _upload_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@programme_office_required
@require_http_methods(["GET", "POST"])
def ledger_import_view(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = settings.KEYPROJECTS_MAX_UPLOAD_BYTES
        if upload.size > limit:
            form.add_error(
                "file",
                _("The file is %(size)s MB; the largest ledger accepted is %(limit)s MB.")
                % {"size": round(upload.size / 2**20, 1), "limit": round(limit / 2**20, 1)},
            )
        else:
            token = secrets.token_urlsafe(12)
            with (_upload_dir() / f"{token}.xlsx").open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            pending = request.session.get(SESSION_KEY, {})
            pending[token] = {
                "name": upload.name,
                "year": form.cleaned_data["year"],
                "allow_new_units": form.cleaned_data["allow_new_units"],
            }
            request.session[SESSION_KEY] = pending
            return redirect("projects:import_preview", token=token)
    return render(request, "projects/import.html", {"nav": "import", "form": form})


@programme_office_required
@require_http_methods(["GET", "POST"])
def ledger_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    pending: dict[str, Any] = request.session.get(SESSION_KEY, {})
    upload = pending.get(token)
    path = _upload_dir() / f"{token}.xlsx"
    if upload is None or not path.exists():
        raise Http404
    user: Any = request.user
    options = {
        "jurisdiction": user.jurisdiction,
        "year": upload["year"],
        "allow_new_units": upload["allow_new_units"],
    }
    if request.method == "POST":
        if "cancel" in request.POST:
            _forget(request, token, path)
            messages.info(request, _("The import was cancelled; nothing was saved."))
            return redirect("projects:import")
        preview = ledger_preview(path, **options)
        if not preview.ok:
            return _render_preview(request, token, upload, preview, status=422)
        job = Job.objects.create(
            kind="ledger_import",
            user=user,
            title=_("Import of %(name)s") % {"name": upload["name"]},
            params={
                "path": str(path),
                "jurisdiction_id": user.jurisdiction_id,
                "year": upload["year"],
                "allow_new_units": upload["allow_new_units"],
                "fingerprint": request.POST.get("fingerprint", ""),
                "language": get_language(),
            },
        )
        _forget(request, token, path, keep_file=True)
        import_ledger.enqueue(str(job.pk))
        return redirect("jobs:detail", pk=job.pk)
    return _render_preview(request, token, upload, ledger_preview(path, **options))


def _render_preview(
    request: HttpRequest,
    token: str,
    upload: dict[str, Any],
    preview: LedgerPreview,
    status: int = 200,
) -> HttpResponse:
    rows = sorted(preview.rows, key=lambda r: (not r.errors, r.action == "unchanged", r.row))
    return render(
        request,
        "projects/import_preview.html",
        {
            "nav": "import",
            "token": token,
            "upload": upload,
            "preview": preview,
            "counts": preview.counts(),
            "rows": rows[:PREVIEW_ROWS_SHOWN],
            "rows_hidden": max(0, len(rows) - PREVIEW_ROWS_SHOWN),
            "row_errors": sum(len(r.errors) for r in preview.rows),
            "batch_labels": dict(Batch.choices),
        },
        status=status,
    )


def _forget(request: HttpRequest, token: str, path: Path, keep_file: bool = False) -> None:
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if not keep_file:
        path.unlink(missing_ok=True)
