"""Recording an inspection: who may, what is refused, and what completing it makes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.audit.models import AuditEntry
from keyprojects.inspections import services
from keyprojects.inspections.choices import HazardStatus, InspectionStatus, Outcome
from keyprojects.inspections.models import Hazard, Inspection, InspectionResult
from keyprojects.notifications.models import Notification
from keyprojects.supervision.choices import SourceKind, TaskStatus, UpdateKind
from keyprojects.supervision.models import Task
from keyprojects.supervision.sources import tasks_of
from tests.factories import UnitFactory

from .conftest import TODAY, mark, photo


def test_a_draft_copies_the_checklist_items_and_is_audited(world, draft, checklist):
    assert draft.status == InspectionStatus.DRAFT
    assert draft.kind == checklist.kind and draft.template_version == checklist.version
    assert draft.jurisdiction_id == world.district.pk
    rows = list(draft.results.values_list("position", "text", "severity", "outcome"))
    assert rows == [
        (1, "临边、洞口防护到位", "major", ""),
        (2, "施工用电一机一闸一漏一箱", "general", ""),
        (3, "消防通道畅通", "general", ""),
    ]
    audited = AuditEntry.objects.filter(model="inspections.inspectionresult")
    assert audited.count() == 3
    assert set(audited.values_list("jurisdiction_id", flat=True)) == {world.district.pk}


@pytest.mark.parametrize("persona", ["office", "owner_user", "responsible_user"])
def test_the_office_and_the_projects_units_record(world, checklist, frozen, persona):
    user = getattr(world, persona)
    inspection = services.inspection_start(
        user=user, project=world.project, template=checklist, date=TODAY
    )
    assert inspection.recorded_by == user
    assert inspection.inspectors == user.full_name
    assert inspection.inspecting_unit_id == user.unit_id


@pytest.mark.parametrize("persona", ["leader", "auditor", "bystander_user", "outsider"])
def test_others_may_not_record(world, checklist, frozen, persona):
    with pytest.raises(PermissionDenied):
        services.inspection_start(
            user=getattr(world, persona), project=world.project, template=checklist, date=TODAY
        )
    assert not Inspection.objects.exists()


def test_an_inspection_is_not_dated_in_the_future(world, checklist, frozen):
    with pytest.raises(ValidationError, match="future"):
        services.inspection_start(
            user=world.office, project=world.project, template=checklist,
            date=TODAY + dt.timedelta(days=1),
        )  # fmt: skip


def test_a_checklist_out_of_use_or_of_another_district_is_refused(world, checklist, frozen):
    checklist.active = False
    checklist.save()
    with pytest.raises(ValidationError, match="out of use"):
        services.inspection_start(
            user=world.office, project=world.project, template=checklist, date=TODAY
        )
    checklist.active = True
    checklist.jurisdiction = world.other_district
    checklist.save()
    with pytest.raises(ValidationError, match="out of use"):
        services.inspection_start(
            user=world.office, project=world.project, template=checklist, date=TODAY
        )
    assert not Inspection.objects.exists()


def test_an_inspecting_unit_of_another_district_is_refused(world, checklist, frozen):
    elsewhere = UnitFactory(jurisdiction=world.other_district)
    with pytest.raises(ValidationError, match="another jurisdiction"):
        services.inspection_start(
            user=world.office, project=world.project, template=checklist, date=TODAY,
            inspecting_unit=elsewhere,
        )  # fmt: skip


def test_recording_outcomes_notes_and_a_photo(world, draft):
    first = draft.results.get(position=1)
    services.inspection_record(
        user=world.office,
        inspection=draft,
        entries=[
            services.ResultEntry(
                result_id=first.pk, outcome=Outcome.FAIL, note="  临边无防护 ", photo=photo()
            )
        ],
        inspectors="检查组",
    )
    first.refresh_from_db()
    assert (first.outcome, first.note) == (Outcome.FAIL, "临边无防护")
    assert first.photo.name.endswith(".jpg") and first.thumbnail.name.endswith("-thumb.jpg")
    assert Inspection.objects.get(pk=draft.pk).inspectors == "检查组"


def test_a_file_that_is_not_a_photo_is_refused_naming_the_item(world, draft):
    second = draft.results.get(position=2)
    bad = SimpleUploadedFile("x.jpg", b"not an image")
    with pytest.raises(ValidationError, match="Item 2"):
        services.inspection_record(
            user=world.office, inspection=draft,
            entries=[services.ResultEntry(result_id=second.pk, outcome=Outcome.PASS, photo=bad)],
        )  # fmt: skip
    second.refresh_from_db()
    assert second.outcome == "" and not second.photo


def test_replacing_a_photo_removes_the_old_file(
    world, draft, settings, django_capture_on_commit_callbacks
):
    first = draft.results.get(position=1)
    entry = services.ResultEntry(result_id=first.pk, photo=photo())
    services.inspection_record(user=world.office, inspection=draft, entries=[entry])
    first.refresh_from_db()
    old = Path(first.photo.path)
    entry = services.ResultEntry(result_id=first.pk, photo=photo())
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_record(user=world.office, inspection=draft, entries=[entry])
    first.refresh_from_db()
    assert Path(first.photo.path).exists() and not old.exists()
    entry = services.ResultEntry(result_id=first.pk, remove_photo=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_record(user=world.office, inspection=draft, entries=[entry])
    first.refresh_from_db()
    assert not first.photo and not first.thumbnail
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.jpg"))


def test_a_deadline_before_the_inspection_is_refused(world, draft):
    first = draft.results.get(position=1)
    with pytest.raises(ValidationError, match="before the inspection"):
        services.inspection_record(
            user=world.office, inspection=draft,
            entries=[services.ResultEntry(result_id=first.pk, deadline=TODAY - dt.timedelta(1))],
        )  # fmt: skip


def test_an_item_of_another_inspection_is_refused(world, draft, checklist):
    other = services.inspection_start(
        user=world.office, project=world.other_project, template=checklist, date=TODAY
    )
    foreign = other.results.first()
    with pytest.raises(ValidationError, match="does not belong"):
        services.inspection_record(
            user=world.office, inspection=draft,
            entries=[services.ResultEntry(result_id=foreign.pk, outcome=Outcome.PASS)],
        )  # fmt: skip


def test_only_its_inspectors_and_the_office_record_a_draft(world, checklist, frozen):
    draft = services.inspection_start(
        user=world.responsible_user, project=world.project, template=checklist, date=TODAY
    )
    mark(draft, world.responsible_user, Outcome.PASS)
    mark(draft, world.office, Outcome.PASS, Outcome.PASS)
    for persona in ("owner_user", "leader", "bystander_user", "auditor", "outsider"):
        with pytest.raises(PermissionDenied):
            mark(draft, getattr(world, persona), Outcome.FAIL)
    assert draft.results.filter(outcome=Outcome.FAIL).count() == 0


def test_completing_needs_every_item_marked(world, draft):
    mark(draft, world.office, Outcome.PASS)
    with pytest.raises(ValidationError, match="not yet marked: 2, 3"):
        services.inspection_complete(user=world.office, inspection=draft)
    assert Inspection.objects.get(pk=draft.pk).status == InspectionStatus.DRAFT


def test_completing_turns_each_failed_item_into_a_hazard_with_its_task(world, draft):
    third = draft.results.get(position=3)
    services.inspection_record(
        user=world.office, inspection=draft,
        entries=[services.ResultEntry(
            result_id=third.pk, deadline=TODAY + dt.timedelta(days=20),
            responsible_unit=world.responsible,
        )],
    )  # fmt: skip
    mark(draft, world.office, Outcome.FAIL, Outcome.PASS, Outcome.FAIL, notes={1: "无防护"})
    hazards = services.inspection_complete(user=world.office, inspection=draft)

    assert Inspection.objects.get(pk=draft.pk).status == InspectionStatus.COMPLETED
    first, second = sorted(hazards, key=lambda h: h.result.position)
    assert first.description == "临边、洞口防护到位：无防护"
    assert (first.severity, first.deadline) == ("major", TODAY + dt.timedelta(days=1))
    assert first.responsible_unit == world.owner  # the project's owner unit by default
    assert (second.deadline, second.responsible_unit) == (
        TODAY + dt.timedelta(days=20), world.responsible,
    )  # fmt: skip
    for hazard in hazards:
        task = hazard.task
        assert list(tasks_of(hazard)) == [task]
        assert task.source_kind == SourceKind.INSPECTION and task.needs_evidence
        assert (task.owner_unit, task.deadline, task.project) == (
            hazard.responsible_unit, hazard.deadline, world.project,
        )  # fmt: skip
        assert task.issued_by == world.office and hazard.status == HazardStatus.OPEN
    assert Notification.objects.filter(user=world.owner_user, kind="task_assigned").exists()
    # A major hazard is told to the office at once.
    major = Notification.objects.filter(kind="hazard_found")
    assert list(major.values_list("user__username", flat=True)) == ["office"]


def test_a_passed_inspection_makes_no_hazards(world, draft):
    mark(draft, world.office, Outcome.PASS, Outcome.PASS, Outcome.NOT_APPLICABLE)
    assert services.inspection_complete(user=world.office, inspection=draft) == []
    assert not Task.objects.exists()


def test_a_deadline_already_past_is_refused_on_completing(world, checklist, frozen):
    late = services.inspection_start(
        user=world.office, project=world.project, template=checklist,
        date=TODAY - dt.timedelta(days=10),
    )  # fmt: skip
    mark(late, world.office, Outcome.FAIL, Outcome.PASS, Outcome.PASS)
    with pytest.raises(ValidationError, match="Item 1: the rectification deadline 2026-06-01"):
        services.inspection_complete(user=world.office, inspection=late)
    assert not Hazard.objects.exists() and not Task.objects.exists()
    first = late.results.get(position=1)
    services.inspection_record(
        user=world.office, inspection=late,
        entries=[services.ResultEntry(result_id=first.pk, deadline=TODAY + dt.timedelta(3))],
    )  # fmt: skip
    (hazard,) = services.inspection_complete(user=world.office, inspection=late)
    assert hazard.deadline == TODAY + dt.timedelta(days=3)


def test_a_completed_inspection_cannot_change_or_complete_again(world, hazard):
    inspection = hazard.inspection
    result = inspection.results.get(position=2)
    with pytest.raises(services.IllegalMove, match="can no longer change"):
        services.inspection_record(
            user=world.office, inspection=inspection,
            entries=[services.ResultEntry(result_id=result.pk, outcome=Outcome.FAIL)],
        )  # fmt: skip
    with pytest.raises(services.IllegalMove, match="can no longer change"):
        services.inspection_complete(user=world.office, inspection=inspection)
    assert InspectionResult.objects.get(pk=result.pk).outcome == Outcome.PASS
    assert Hazard.objects.count() == 1


def test_a_stale_copy_cannot_complete_twice(world, draft):
    mark(draft, world.office, Outcome.FAIL, Outcome.PASS, Outcome.PASS)
    stale = Inspection.objects.get(pk=draft.pk)
    services.inspection_complete(user=world.office, inspection=draft)
    with pytest.raises(services.IllegalMove):
        services.inspection_complete(user=world.office, inspection=stale)
    assert Hazard.objects.count() == 1 and Task.objects.count() == 1


def test_a_draft_is_deleted_by_its_inspectors(world, checklist, frozen):
    draft = services.inspection_start(
        user=world.responsible_user, project=world.project, template=checklist, date=TODAY
    )
    with pytest.raises(PermissionDenied):
        services.inspection_delete(user=world.owner_user, inspection=draft)
    assert services.inspection_delete(user=world.responsible_user, inspection=draft) == 0
    assert not Inspection.objects.exists() and not InspectionResult.objects.exists()


def test_deleting_a_completed_inspection_never_orphans_its_tasks_silently(world, hazard):
    inspection = hazard.inspection
    task = hazard.task
    with pytest.raises(PermissionDenied):
        services.inspection_delete(user=world.responsible_user, inspection=inspection)
    assert services.inspection_delete(user=world.office, inspection=inspection) == 1

    assert not Hazard.objects.exists()
    task.refresh_from_db()
    assert task.source_removed_at is not None and task.status == TaskStatus.OPEN
    assert task.updates.filter(kind=UpdateKind.SOURCE_REMOVED).exists()
    assert Notification.objects.filter(user=world.owner_user, kind="task_source_removed").exists()


def test_deleting_the_project_keeps_the_hazards_tasks_marked(world, hazard):
    task = hazard.task
    world.project.delete()
    task.refresh_from_db()
    assert task.source_removed_at is not None and task.project_id is None
