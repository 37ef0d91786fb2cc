"""Checklists, inspections and hazards for the tests: a small checklist of the district, a
draft and a completed inspection of the world's project, and photos."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from keyprojects.inspections import services
from keyprojects.inspections.choices import InspectionKind, ItemSeverity, Outcome
from keyprojects.inspections.models import ChecklistItem, ChecklistTemplate
from tests.api.conftest import api_for  # noqa: F401  (fixture)

TODAY = dt.date(2026, 6, 10)


def jpeg(colour: tuple[int, int, int] = (120, 160, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG")
    return out.getvalue()


def photo(name: str = "site.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """Messages are matched in English, the language they are written in, whatever the
    default language of the deployment."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def frozen() -> Any:
    """The day the tests happen on, at 09:00 in Chongqing."""
    with time_machine.travel(dt.datetime(2026, 6, 10, 1, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def checklist(world: Any) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.create(
        jurisdiction=world.district, kind=InspectionKind.SAFETY, name="安全检查表"
    )
    for n, (text, category, severity, days) in enumerate(
        [
            ("临边、洞口防护到位", "高处作业", ItemSeverity.MAJOR, 1),
            ("施工用电一机一闸一漏一箱", "施工用电", ItemSeverity.GENERAL, 3),
            ("消防通道畅通", "消防安全", ItemSeverity.GENERAL, 5),
        ],
        start=1,
    ):
        ChecklistItem.objects.create(
            template=template, position=n, text=text, category=category, severity=severity,
            rectification_days=days,
        )  # fmt: skip
    return template


@pytest.fixture
def draft(world: Any, checklist: ChecklistTemplate, frozen: Any) -> Any:
    return services.inspection_start(
        user=world.office, project=world.project, template=checklist, date=TODAY,
        inspectors="区住建委安全监督站",
    )  # fmt: skip


def mark(inspection: Any, user: Any, *outcomes: str, **kw: Any) -> Any:
    """Mark the items in order; keyword `notes` gives a note per item."""
    notes = kw.pop("notes", {})
    results = list(inspection.results.order_by("position"))
    entries = [
        services.ResultEntry(result_id=r.pk, outcome=o, note=notes.get(r.position, ""))
        for r, o in zip(results, outcomes, strict=False)
    ]
    return services.inspection_record(user=user, inspection=inspection, entries=entries, **kw)


@pytest.fixture
def hazard(world: Any, draft: Any) -> Any:
    """The first item failed: a major hazard, to rectify by the next day."""
    mark(draft, world.office, Outcome.FAIL, Outcome.PASS, Outcome.NOT_APPLICABLE,
         notes={1: "5层东侧临边无防护"})  # fmt: skip
    (found,) = services.inspection_complete(user=world.office, inspection=draft)
    return found


@pytest.fixture
def found_by_a_department(world: Any, checklist: ChecklistTemplate, frozen: Any) -> Any:
    """区城管局 inspected the project and found a hazard for the owner unit to rectify."""
    draft = services.inspection_start(
        user=world.office, project=world.project, template=checklist, date=TODAY,
        inspecting_unit=world.bystander_unit,
    )  # fmt: skip
    mark(draft, world.office, Outcome.FAIL, Outcome.PASS, Outcome.PASS)
    (hazard,) = services.inspection_complete(user=world.office, inspection=draft)
    assert hazard.responsible_unit == world.owner
    return hazard
