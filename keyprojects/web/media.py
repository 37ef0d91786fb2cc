"""Who may read an uploaded file: a person who may read the record it belongs to.

Each kind of upload lives under its own folder; the record it belongs to is found through
the model whose visibility rule (`visible_to`) decides, so a file is never readable by
someone the record is hidden from (another district, another unit's task), even by its name.
A folder that is not listed here is not served at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Q


@dataclass(frozen=True)
class Uploads:
    folder: str
    gate: str  # the model (app_label.Model) whose `visible_to` decides
    paths: tuple[str, ...]  # lookups from that model to the file fields


UPLOADS = (
    Uploads("tasks/", "supervision.Task", ("updates__file", "updates__thumbnail")),
    Uploads("problems/", "problems.Problem",
            ("attachment", "responses__file", "responses__thumbnail")),
    Uploads("inspections/", "inspections.Inspection", ("results__photo", "results__thumbnail")),
    Uploads("visits/", "meetings.SiteVisit",
            ("stops__photos__image", "stops__photos__thumbnail")),
    Uploads("photos/", "projects.Project",
            ("reports__photos__image", "reports__photos__thumbnail")),
    Uploads("procedures/", "projects.Project", ("procedures__document",)),
)  # fmt: skip


def may_read(user: Any, name: str) -> bool:
    """Whether `user` may read the uploaded file stored as `name`."""
    for uploads in UPLOADS:
        if not name.startswith(uploads.folder):
            continue
        query = Q()
        for path in uploads.paths:
            query |= Q(**{path: name})
        model = apps.get_model(uploads.gate)
        if model._default_manager.visible_to(user).filter(query).exists():
            return True
    return False
