"""The life of a bulletin: drafted for a month, its figures refreshed and its text edited while
it is a draft, its files made, then published once and archived unchanged.

Pages, the API, the command and the background job all go through here, so they refuse the
same things with the same words.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from keyprojects.jobs.models import Job
from keyprojects.notifications.services import notify
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, User

from .choices import BulletinStatus, FileKind
from .document import document_language, period_label
from .drafting import draft_content
from .models import (
    HEADER_FIELDS,
    TEXT_FIELDS,
    Bulletin,
    BulletinData,
    BulletinPublished,
    content_hash,
    published_refusal,
)
from .rendering import document_for, write_pdf, write_word

# Bump when the layout of the files changes, so that files made before count as stale.
RENDER_VERSION = 1
JOB_KIND = "bulletin_files"
# A job that has not moved for this long is taken as lost (the worker stopped).
JOB_STALE_AFTER = dt.timedelta(minutes=30)

Progress = Callable[[str], None]


def _check_period(year: int, month: int, today: dt.date) -> None:
    if not 1 <= month <= 12:
        raise ValidationError({"month": _("The month is a number from 1 to 12.")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give a year from 2000 to 2100.")})
    if (year, month) > (today.year, today.month):
        raise ValidationError({"month": _("That month has not begun yet.")})


def default_texts(jurisdiction: Jurisdiction, year: int, month: int) -> dict[str, str]:
    """The header and opening words a new draft starts with, in the documents' language."""
    with document_language():
        period = period_label(month)
        return {
            "masthead": _("%(jurisdiction)s key projects bulletin")
            % {"jurisdiction": jurisdiction.name},
            "issuing_body": _("Office of the %(jurisdiction)s key projects leading group")
            % {"jurisdiction": jurisdiction.name},
            "title": _("On the progress of the key projects in %(year)s, %(period)s")
            % {"year": year, "period": period},
            "summary": _(
                "The progress of the key projects in %(year)s, %(period)s, is reported as follows."
            )
            % {"year": year, "period": period},
            "next_steps": _(
                "Units whose projects are behind schedule are to draw up catch-up plans and "
                "report them to the programme office within ten days; the programme office "
                "will take the red-light projects to the next dispatch meeting and follow the "
                "open problems until they are closed."
            ),
        }


def next_number(jurisdiction: Jurisdiction, year: int) -> int:
    top = Bulletin.objects.filter(jurisdiction=jurisdiction, year=year).aggregate(n=Max("number"))[
        "n"
    ]
    return (top or 0) + 1


def bulletin_create(
    *,
    jurisdiction: Jurisdiction,
    year: int,
    month: int,
    user: Any = None,
    today: dt.date | None = None,
) -> Bulletin:
    """A new draft for the month, numbered next in the year. Its figures are drafted next,
    by `bulletin_refresh` (the page does it in the background)."""
    today = today or timezone.localdate()
    _check_period(year, month, today)
    with transaction.atomic():
        existing = (
            Bulletin.objects.select_for_update()
            .filter(jurisdiction=jurisdiction, year=year, month=month)
            .first()
        )
        if existing is not None:
            raise ValidationError(
                _("The bulletin for %(year)s-%(month)02d exists already (%(number)s).")
                % {"year": year, "month": month, "number": existing.number_label}
            )
        bulletin = Bulletin(
            jurisdiction=jurisdiction,
            year=year,
            month=month,
            number=next_number(jurisdiction, year),
            issue_date=today,
            created_by=user if getattr(user, "pk", None) else None,
            **default_texts(jurisdiction, year, month),
        )
        bulletin.full_clean()
        bulletin.save()
    return bulletin


def _locked_draft(bulletin: Bulletin) -> Bulletin:
    """The bulletin's row, locked for the change; refused when it is published."""
    locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if locked.is_published:
        raise published_refusal()
    return locked


def bulletin_refresh(*, bulletin: Bulletin, rebuild_lights: bool = True) -> Bulletin:
    """Take the figures and tables again from the data: drafts only."""
    if bulletin.is_published:
        raise published_refusal()
    with document_language():  # the snapshot's labels are the documents' words
        content = draft_content(
            bulletin.jurisdiction, bulletin.year, bulletin.month, rebuild_lights=rebuild_lights
        )
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_draft(bulletin)
        BulletinData.objects.update_or_create(
            bulletin=locked, defaults={"content": content, "taken_at": now}
        )
        locked.data_sha256 = content_hash(content)
        locked.refreshed_at = now
        locked.save(update_fields=["data_sha256", "refreshed_at"])
    return locked


def bulletin_update(*, bulletin: Bulletin, version: int | None = None, **fields: Any) -> Bulletin:
    """Change the header or the office's text of a draft. A form read before someone else's
    change is refused rather than overwriting it."""
    unknown = set(fields) - set(HEADER_FIELDS) - set(TEXT_FIELDS)
    if unknown:
        raise ValueError(f"not an editable field: {sorted(unknown)}")
    with transaction.atomic():
        locked = _locked_draft(bulletin)
        if version is not None and locked.version != version:
            raise ValidationError(
                _("Someone saved this bulletin after you opened it; reload and try again.")
            )
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        locked.full_clean()
        locked.version += 1
        locked.save()
    return locked


def bulletin_delete(*, bulletin: Bulletin) -> None:
    """Drop a draft (its number and month become free again)."""
    with transaction.atomic():
        locked = _locked_draft(bulletin)
        names = [f.name for f in (locked.docx, locked.pdf) if f]
        storage = locked.docx.storage
        locked.delete()
        transaction.on_commit(lambda: [storage.delete(n) for n in names])


# -- files ------------------------------------------------------------------------------------


def render_fingerprint(bulletin: Bulletin) -> str:
    """What the files are made from: the header, the office's text and the figures."""
    values = {name: getattr(bulletin, name) for name in (*HEADER_FIELDS, *TEXT_FIELDS)}
    values["data"] = bulletin.data_sha256
    values["layout"] = RENDER_VERSION
    text = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def files_current(bulletin: Bulletin) -> bool:
    return bool(
        bulletin.docx
        and bulletin.pdf
        and bulletin.files_fingerprint
        and bulletin.files_fingerprint == render_fingerprint(bulletin)
    )


def content_of(bulletin: Bulletin) -> dict[str, Any] | None:
    data = BulletinData.objects.filter(bulletin_id=bulletin.pk).values_list("content", flat=True)
    return data.first()


@dataclass(frozen=True)
class RenderedFiles:
    docx: bytes
    pdf: bytes
    fingerprint: str

    def sha256(self, kind: str) -> str:
        return hashlib.sha256(self.docx if kind == FileKind.DOCX else self.pdf).hexdigest()


def bulletin_render(*, bulletin: Bulletin, progress: Progress | None = None) -> RenderedFiles:
    """Make the Word and PDF files of the bulletin as it is now (nothing is stored)."""
    content = content_of(bulletin)
    if content is None:
        raise ValidationError(_("The figures of this bulletin have not been drafted yet."))
    fingerprint = render_fingerprint(bulletin)
    doc = document_for(bulletin, content)
    if progress:
        progress(FileKind.DOCX)
    docx = write_word(doc)
    if progress:
        progress(FileKind.PDF)
    pdf = write_pdf(doc)
    return RenderedFiles(docx=docx, pdf=pdf, fingerprint=fingerprint)


def bulletin_render_one(*, bulletin: Bulletin, kind: str) -> bytes:
    """One of the bulletin's files as it is now, for the command line."""
    content = content_of(bulletin)
    if content is None:
        raise ValidationError(_("The figures of this bulletin have not been drafted yet."))
    doc = document_for(bulletin, content)
    return write_word(doc) if kind == FileKind.DOCX else write_pdf(doc)


def _file_name(bulletin: Bulletin, kind: str) -> str:
    return f"{bulletin.year}-{bulletin.month:02d}-{bulletin.number}.{kind}"


def _attach(bulletin: Bulletin, rendered: RenderedFiles) -> list[str]:
    """Write the files to storage and onto the (unsaved) row; returns the names replaced."""
    replaced = [f.name for f in (bulletin.docx, bulletin.pdf) if f]
    bulletin.docx.save(_file_name(bulletin, "docx"), ContentFile(rendered.docx), save=False)
    bulletin.pdf.save(_file_name(bulletin, "pdf"), ContentFile(rendered.pdf), save=False)
    bulletin.docx_sha256 = rendered.sha256(FileKind.DOCX)
    bulletin.pdf_sha256 = rendered.sha256(FileKind.PDF)
    bulletin.files_fingerprint = rendered.fingerprint
    bulletin.files_made_at = timezone.now()
    return replaced


def _discard(storage: Any, names: list[str]) -> None:
    for name in names:
        if name:
            storage.delete(name)


FILE_FIELDS = ["docx", "pdf", "docx_sha256", "pdf_sha256", "files_fingerprint", "files_made_at"]


def bulletin_store_files(*, bulletin: Bulletin, rendered: RenderedFiles) -> Bulletin:
    """Keep a draft's files (they replace the draft's earlier ones)."""
    storage = bulletin.docx.storage
    with transaction.atomic():
        locked = _locked_draft(bulletin)
        replaced = _attach(locked, rendered)
        made = [locked.docx.name, locked.pdf.name]
        try:
            locked.save(update_fields=FILE_FIELDS)
        except Exception:
            _discard(storage, made)
            raise
        transaction.on_commit(lambda: _discard(storage, replaced))
    return locked


def bulletin_publish(
    *, bulletin: Bulletin, user: Any, rendered: RenderedFiles | None = None
) -> Bulletin:
    """Publish a draft, once: its files are archived with their fingerprints and the row can
    no longer change. Files made from the current text are kept as they are; otherwise they
    are made now. Publishing twice, even at the same moment, is refused."""
    if bulletin.is_published:
        _refuse_published_again(bulletin)
    if content_of(bulletin) is None:
        raise ValidationError(_("Draft the figures before publishing the bulletin."))
    if rendered is None and not files_current(bulletin):
        rendered = bulletin_render(bulletin=bulletin)
    storage = bulletin.docx.storage
    made: list[str] = []
    with transaction.atomic():
        locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if locked.is_published:
            _refuse_published_again(locked)
        replaced: list[str] = []
        if rendered is not None and not files_current(locked):
            if rendered.fingerprint != render_fingerprint(locked):
                raise ValidationError(
                    _("The bulletin changed while its files were being made; publish again.")
                )
            replaced = _attach(locked, rendered)
            made = [locked.docx.name, locked.pdf.name]
        elif not files_current(locked):
            raise ValidationError(
                _("The bulletin changed while its files were being made; publish again.")
            )
        locked.status = BulletinStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = user if getattr(user, "pk", None) else None
        try:
            locked.save()
        except Exception:
            _discard(storage, made)
            raise
        transaction.on_commit(lambda: _discard(storage, replaced))
        transaction.on_commit(lambda: _announce(locked))
    return locked


def _refuse_published_again(bulletin: Bulletin) -> None:
    when = formats.date_format(timezone.localtime(bulletin.published_at), "DATETIME_FORMAT")
    raise BulletinPublished(
        _("This bulletin was published on %(when)s; it cannot be published again.")
        % {"when": when},
        code="published",
    )


def _announce(bulletin: Bulletin) -> None:
    """Tell the leaders and the units of the jurisdiction that the bulletin is out."""
    readers = User.objects.filter(
        is_active=True,
        role__in=[Role.LEADER, Role.UNIT_USER],
        jurisdiction_id__in=bulletin.jurisdiction.subtree_ids(),
    )
    notify(
        readers,
        kind="bulletin_published",
        key=str(bulletin.pk),
        title=_("Bulletin published: %(title)s") % {"title": bulletin.title},
        body=f"{bulletin.number_label} {bulletin.title}",
        url=reverse("bulletins:detail", args=[bulletin.pk]),
    )


# -- background jobs --------------------------------------------------------------------------


def current_job(bulletin: Bulletin) -> Job | None:
    return (
        Job.objects.filter(kind=JOB_KIND, params__bulletin_id=bulletin.pk)
        .order_by("-created_at")
        .first()
    )


def job_busy(job: Job | None) -> bool:
    if job is None or job.finished:
        return False
    return timezone.now() - job.created_at < JOB_STALE_AFTER


def bulletin_start_job(
    *, bulletin: Bulletin, user: Any, refresh: bool = False, publish: bool = False,
    language: str = "",
) -> Job:  # fmt: skip
    """Queue the background work: draft the figures (when asked), make the Word and PDF
    files, and publish (when asked). One job at a time per bulletin."""
    from .tasks import make_bulletin_files

    with transaction.atomic():
        locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if locked.is_published:
            if publish:
                _refuse_published_again(locked)
            _locked_draft(locked)  # raises
        if job_busy(current_job(locked)):
            raise ValidationError(
                _("The files of this bulletin are being made; wait until that is done.")
            )
        if publish:
            title = _("Publishing %(bulletin)s") % {"bulletin": locked}
        elif refresh:
            title = _("Drafting %(bulletin)s") % {"bulletin": locked}
        else:
            title = _("Files of %(bulletin)s") % {"bulletin": locked}
        job = Job.objects.create(
            kind=JOB_KIND,
            user=user if getattr(user, "pk", None) else None,
            title=title[:200],
            params={
                "bulletin_id": locked.pk,
                "refresh": refresh,
                "publish": publish,
                "language": language,
            },
        )
    make_bulletin_files.enqueue(str(job.pk))
    return job
