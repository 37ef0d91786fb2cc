"""Bulletins in the JSON API: the archive, one bulletin with its figures, its files, and
publishing by the programme office."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.params import P, QueryEx

from keyprojects.api.auth import caller
from keyprojects.api.errors import ApiError, forbidden, not_found
from keyprojects.api.schemas import ErrorOut

from . import services
from .choices import CONTENT_TYPES, BulletinStatus, FileKind
from .models import TEXT_FIELDS, Bulletin, BulletinPublished

router = Router(tags=["bulletins"])
ERRORS: dict[int, Any] = {
    401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
}  # fmt: skip


class FileOut(Schema):
    kind: FileKind
    url: str = Field(description="Download with the same credentials.")
    sha256: str
    current: bool = Field(description="Made from the bulletin as it is now.")


class BulletinOut(Schema):
    id: int
    jurisdiction_id: int
    jurisdiction: str
    year: int
    month: int
    number: int
    number_label: str
    masthead: str
    title: str
    issuing_body: str
    issue_date: dt.date
    status: BulletinStatus
    figures_taken_at: dt.datetime | None
    published_at: dt.datetime | None
    published_by: str | None
    files: list[FileOut]


class BulletinDetailOut(BulletinOut):
    texts: dict[str, str] = Field(description="The programme office's text, by block.")
    copy_to: str
    content: dict[str, Any] | None = Field(
        description="The figures and tables as drafted: amounts in yuan, shares in percent."
    )


class BulletinPage(Schema):
    count: int
    items: list[BulletinOut]


def _files(request: HttpRequest, bulletin: Bulletin) -> list[dict[str, Any]]:
    current = services.files_current(bulletin)
    return [
        {
            "kind": kind,
            "url": request.build_absolute_uri(
                reverse("api:bulletin_file", args=[bulletin.pk, kind])
            ),
            "sha256": bulletin.sha256_of(kind),
            "current": current or bulletin.is_published,
        }
        for kind in FileKind.values
        if bulletin.file_of(kind)
    ]


def bulletin_out(request: HttpRequest, bulletin: Bulletin) -> dict[str, Any]:
    return {
        "id": bulletin.pk,
        "jurisdiction_id": bulletin.jurisdiction_id,
        "jurisdiction": bulletin.jurisdiction.name,
        "year": bulletin.year,
        "month": bulletin.month,
        "number": bulletin.number,
        "number_label": bulletin.number_label,
        "masthead": bulletin.masthead,
        "title": bulletin.title,
        "issuing_body": bulletin.issuing_body,
        "issue_date": bulletin.issue_date,
        "status": bulletin.status,
        "figures_taken_at": bulletin.refreshed_at,
        "published_at": bulletin.published_at,
        "published_by": str(bulletin.published_by) if bulletin.published_by_id else None,
        "files": _files(request, bulletin),
    }


def _detail(request: HttpRequest, bulletin: Bulletin) -> dict[str, Any]:
    return {
        **bulletin_out(request, bulletin),
        "texts": {name: getattr(bulletin, name) for name in TEXT_FIELDS},
        "copy_to": bulletin.copy_to,
        "content": services.content_of(bulletin),
    }


def _visible(request: HttpRequest) -> Any:
    return Bulletin.objects.visible_to(caller(request)).select_related(
        "jurisdiction", "published_by"
    )


def _get(request: HttpRequest, bulletin_id: int) -> Bulletin:
    bulletin = _visible(request).filter(pk=bulletin_id).first()
    if bulletin is None:
        raise not_found()
    return bulletin


@router.get("/bulletins/", response={200: BulletinPage, **ERRORS}, summary="List bulletins")
def list_bulletins(
    request: HttpRequest,
    year: int | None = None,
    status: BulletinStatus | None = None,
    offset: QueryEx[int, P(ge=0)] = 0,
    limit: QueryEx[int, P(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    """The bulletins the caller may read, newest first: drafts too for the programme office,
    leaders and auditors; published ones only for unit users."""
    bulletins = _visible(request).order_by("-year", "-month", "-number")
    if year is not None:
        bulletins = bulletins.filter(year=year)
    if status is not None:
        bulletins = bulletins.filter(status=status)
    page = list(bulletins[offset : offset + limit])
    return {"count": bulletins.count(), "items": [bulletin_out(request, b) for b in page]}


@router.get(
    "/bulletins/{bulletin_id}/",
    response={200: BulletinDetailOut, **ERRORS},
    summary="Read a bulletin",
)
def get_bulletin(request: HttpRequest, bulletin_id: int) -> dict[str, Any]:
    return _detail(request, _get(request, bulletin_id))


@router.get(
    "/bulletins/{bulletin_id}/files/{kind}/",
    response={200: None, **ERRORS},
    url_name="bulletin_file",
    summary="Download a bulletin's Word or PDF file",
)
def get_file(request: HttpRequest, bulletin_id: int, kind: FileKind) -> Any:
    bulletin = _get(request, bulletin_id)
    stored = bulletin.file_of(kind)
    if not stored:
        raise not_found()
    if bulletin.is_published and not bulletin.file_intact(kind):
        raise ApiError(409, "The archived file no longer matches its recorded fingerprint.")
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{bulletin.year}-{bulletin.month:02d}-{bulletin.number}.{kind}",
        content_type=CONTENT_TYPES[kind],
    )
    response["X-Content-SHA256"] = bulletin.sha256_of(kind)
    return response


@router.post(
    "/bulletins/{bulletin_id}/publish/",
    response={200: BulletinDetailOut, **ERRORS},
    summary="Publish a bulletin",
)
def publish(request: HttpRequest, bulletin_id: int) -> dict[str, Any]:
    """The programme office publishes a draft: its files are made from the text as it is
    (unless they already are) and archived with their SHA-256. Publishing again, or a
    bulletin that is published, answers 409 and changes nothing."""
    user = caller(request)
    bulletin = _get(request, bulletin_id)
    if not Bulletin.objects.editable_by(user).filter(pk=bulletin.pk).exists():
        raise forbidden()
    try:
        services.bulletin_publish(bulletin=bulletin, user=user)
    except BulletinPublished as refused:
        raise ApiError(409, " ".join(refused.messages)) from None
    return _detail(request, _get(request, bulletin_id))
