"""Supervised tasks: the workflow, its refusals, evidence, deadlines and escalation."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from keyprojects.audit.models import AuditEntry
from keyprojects.notifications.models import Notification
from keyprojects.supervision import services
from keyprojects.supervision.choices import SourceKind, TaskStatus, UpdateKind
from keyprojects.supervision.models import Task

TODAY = dt.date(2026, 6, 10)


@pytest.fixture
def task(world):
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC), tick=False):
        return services.create_task(
            title="完成管线迁改方案", owner_unit=world.responsible, deadline=TODAY,
            project=world.project, issued_by=world.office,
        )  # fmt: skip


def test_a_new_task_tells_the_owner_unit_and_is_audited(world, task):
    assert task.status == TaskStatus.OPEN
    assert task.jurisdiction_id == world.district.pk
    assert Notification.objects.filter(user=world.responsible_user, kind="task_assigned").exists()
    assert not Notification.objects.filter(user=world.owner_user, kind="task_assigned").exists()
    assert AuditEntry.objects.filter(model="supervision.task", object_id=str(task.pk)).exists()
    assert [u.kind for u in task.updates.all()] == [UpdateKind.CREATED]


def test_a_task_needs_a_title_and_a_person_of_the_owner_unit(world):
    with pytest.raises(ValidationError):
        services.create_task(title=" ", owner_unit=world.owner, deadline=TODAY)
    with pytest.raises(ValidationError, match="belong to the owner unit"):
        services.create_task(
            title="x", owner_unit=world.owner, owner_person=world.responsible_user, deadline=TODAY
        )
    assert not Task.objects.exists()


def test_the_whole_path_report_done_return_report_again_accept(world, task):
    services.task_comment(task, user=world.responsible_user, text="已完成初稿")
    services.task_submit(task, user=world.responsible_user, text="方案已报审")
    assert task.status == TaskStatus.SUBMITTED
    assert Notification.objects.filter(user=world.office, kind="task_submitted").exists()

    services.task_return(task, user=world.office, reason="缺少造价")
    assert task.status == TaskStatus.OPEN
    services.task_submit(task, user=world.responsible_user, text="补充造价")
    services.task_accept(task, user=world.office)

    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.closed_at is not None
    kinds = list(task.updates.values_list("kind", flat=True))
    assert kinds == ["created", "comment", "submitted", "returned", "submitted", "accepted"]


@pytest.mark.parametrize(
    ("move", "who"),
    [
        ("accept", "office"),  # nothing reported yet
        ("return", "office"),
        ("reopen", "office"),  # still open
    ],
)
def test_illegal_moves_are_refused_with_the_reason_and_change_nothing(world, task, move, who):
    user = getattr(world, who)
    call = {
        "accept": lambda: services.task_accept(task, user=user),
        "return": lambda: services.task_return(task, user=user, reason="r"),
        "reopen": lambda: services.task_reopen(task, user=user, reason="r"),
    }[move]
    with pytest.raises(services.IllegalMove) as refused:
        call()
    assert refused.value.messages[0]
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_reporting_done_twice_is_refused(world, task):
    services.task_submit(task, user=world.responsible_user, text="done")
    with pytest.raises(services.IllegalMove, match="Only a task to do"):
        services.task_submit(task, user=world.responsible_user, text="again")


def test_only_the_owner_works_and_only_the_office_or_issuer_decides(world, task):
    for person in (world.owner_user, world.bystander_user, world.leader, world.auditor):
        with pytest.raises(PermissionDenied):
            services.task_submit(task, user=person, text="x")
    services.task_submit(task, user=world.responsible_user, text="x")
    for person in (world.responsible_user, world.leader, world.auditor, world.outsider):
        with pytest.raises(PermissionDenied):
            services.task_accept(task, user=person)


def test_a_leader_decides_on_the_tasks_they_issued(world):
    task = services.create_task(
        title="批示事项", owner_unit=world.owner, deadline=TODAY, issued_by=world.leader
    )
    services.task_submit(task, user=world.owner_user, text="已落实")
    services.task_accept(task, user=world.leader)
    assert task.status == TaskStatus.DONE


def test_a_stale_decision_is_refused_and_the_first_one_stands(world, task):
    services.task_submit(task, user=world.responsible_user, text="x")
    first = Task.objects.get(pk=task.pk)
    second = Task.objects.get(pk=task.pk)
    services.task_accept(first, user=world.office)
    with pytest.raises(services.IllegalMove, match="Someone else changed"):
        services.task_return(second, user=world.office, reason="no")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_evidence_is_required_where_asked(world):
    task = services.create_task(
        title="整改隐患", owner_unit=world.owner, deadline=TODAY, needs_evidence=True,
        source_kind=SourceKind.INSPECTION,
    )  # fmt: skip
    with pytest.raises(services.IllegalMove, match="evidence"):
        services.task_submit(task, user=world.owner_user, text="已整改")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 rectified", "application/pdf")
    services.task_submit(task, user=world.owner_user, text="已整改", upload=upload)
    assert task.status == TaskStatus.SUBMITTED
    assert task.updates.filter(kind=UpdateKind.EVIDENCE).exclude(file="").exists()


def test_a_photo_as_evidence_is_re_encoded_with_a_thumbnail(world, task):
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (800, 600), "orange").save(buffer, "PNG")
    upload = SimpleUploadedFile("site.png", buffer.getvalue(), "image/png")
    update = services.task_comment(task, user=world.responsible_user, text="现场", upload=upload)
    assert update.file.name.endswith(".jpg") and update.thumbnail


def test_a_file_that_claims_to_be_a_photo_and_is_not_is_refused(world, task):
    upload = SimpleUploadedFile("site.jpg", b"not an image", "image/jpeg")
    with pytest.raises(ValidationError):
        services.task_comment(task, user=world.responsible_user, text="x", upload=upload)
    assert task.updates.count() == 1


def test_a_deadline_change_needs_a_reason_and_clears_escalation(world, task):
    with pytest.raises(services.IllegalMove):
        services.task_extend(task, user=world.office, deadline=TODAY, reason="same")
    with pytest.raises(services.IllegalMove):
        services.task_extend(task, user=world.office, deadline=dt.date(2030, 1, 1), reason=" ")
    task.escalation_level = 1
    task.save()
    services.task_extend(task, user=world.office, deadline=dt.date(2030, 1, 1), reason="征地延后")
    task.refresh_from_db()
    assert task.deadline == dt.date(2030, 1, 1) and task.escalation_level == 0


def test_reassigning_moves_the_task_and_tells_the_new_owner(world, task):
    services.task_reassign(task, user=world.office, owner_unit=world.bystander_unit, reason="职责")
    task.refresh_from_db()
    assert task.owner_unit == world.bystander_unit
    assert Notification.objects.filter(user=world.bystander_user, kind="task_assigned").exists()
    with pytest.raises(services.IllegalMove):
        services.task_reassign(task, user=world.office, owner_unit=world.bystander_unit)


def test_cancel_and_reopen(world, task):
    services.task_cancel(task, user=world.office, reason="重复")
    with pytest.raises(services.IllegalMove):
        services.task_comment(task, user=world.responsible_user, text="x")
    services.task_reopen(task, user=world.office, reason="并非重复")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


class TestDeadlines:
    def run(self, day: dt.date) -> services.DeadlineRun:
        with time_machine.travel(dt.datetime.combine(day, dt.time(1)), tick=False):
            return services.tasks_check_deadlines()

    def test_owners_are_reminded_once_before_the_deadline(self, world, task):
        assert self.run(TODAY - dt.timedelta(days=4)).reminded == 0
        assert self.run(TODAY - dt.timedelta(days=3)).reminded == 1
        assert self.run(TODAY - dt.timedelta(days=2)).reminded == 0
        assert (
            Notification.objects.filter(kind="task_due", user=world.responsible_user).count() == 1
        )

    def test_on_the_deadline_day_it_is_not_yet_overdue(self, world, task):
        assert self.run(TODAY).escalated == 0

    def test_the_day_after_it_goes_to_the_office_and_the_next_meeting(self, world, task):
        run = self.run(TODAY + dt.timedelta(days=1))
        assert run.escalated == 1
        task.refresh_from_db()
        assert task.escalation_level == 1
        assert Notification.objects.filter(kind="task_overdue", user=world.office).exists()
        assert self.run(TODAY + dt.timedelta(days=2)).escalated == 0  # once

    def test_a_week_later_it_goes_to_the_leader_in_charge(self, world, task, settings):
        settings.KEYPROJECTS_ESCALATE_LEADER_DAYS = 7
        self.run(TODAY + dt.timedelta(days=1))
        assert self.run(TODAY + dt.timedelta(days=7)).to_leaders == 0
        assert self.run(TODAY + dt.timedelta(days=8)).to_leaders == 1
        assert Task.objects.get(pk=task.pk).escalation_level == 2
        assert Notification.objects.filter(kind="task_escalated", user=world.leader).exists()

    def test_a_task_reported_done_in_time_is_not_escalated_while_waiting(self, world, task):
        services.task_submit(task, user=world.responsible_user, text="x")
        services.task_accept(Task.objects.get(pk=task.pk), user=world.office)
        assert self.run(TODAY + dt.timedelta(days=30)).escalated == 0


def test_the_leader_in_charge_is_found_by_name(world):
    from tests.factories import UserFactory

    named = UserFactory(
        username="zhang", full_name="张副区长", role="leader", jurisdiction=world.district
    )
    world.project.leader_in_charge = "张副区长"
    assert services.leaders_for(world.project, world.district.pk) == [named]
    world.project.leader_in_charge = "不存在"
    assert set(services.leaders_for(world.project, world.district.pk)) == {named, world.leader}
    # A name inside another is not the same person: 区长 is not 分管城建副区长.
    UserFactory(username="qz", full_name="区长", role="leader", jurisdiction=world.district)
    deputy = UserFactory(
        username="fg", position="分管城建副区长", role="leader", jurisdiction=world.district
    )
    world.project.leader_in_charge = "分管城建副区长"
    assert services.leaders_for(world.project, world.district.pk) == [deputy]


def test_deleting_the_source_keeps_its_tasks_marked_and_tells_the_owner(world):
    from keyprojects.projects.models import AnnualPlan
    from keyprojects.supervision.sources import register_source

    register_source(AnnualPlan)  # any model can be a source; this one is at hand
    plan = AnnualPlan.objects.create(project=world.project, year=2026)
    task = services.create_task(
        title="来自计划", owner_unit=world.owner, deadline=TODAY, source=plan,
        project=world.project,
    )  # fmt: skip
    label = str(plan)
    plan.delete()

    task.refresh_from_db()
    assert task.source_removed_at is not None and task.source_label == label
    assert task.updates.filter(kind=UpdateKind.SOURCE_REMOVED).exists()
    assert Notification.objects.filter(kind="task_source_removed", user=world.owner_user).exists()


def test_visibility(world, task):
    foreign = services.create_task(
        title="江北", owner_unit=world.foreign_project.owner_unit, deadline=TODAY,
        project=world.foreign_project,
    )  # fmt: skip
    seen = {name: set(Task.objects.visible_to(u)) for name, u in world.personas().items()}
    assert seen["office"] == seen["leader"] == seen["auditor"] == {task}
    assert seen["responsible_user"] == {task}
    assert seen["owner_user"] == {task}  # the task is about the unit's project
    assert seen["bystander_user"] == set()
    assert seen["outsider"] == {foreign}


def test_the_inbox_holds_what_waits_on_each_person(world, task):
    assert set(Task.objects.inbox(world.responsible_user)) == {task}
    assert set(Task.objects.inbox(world.office)) == set()
    services.task_submit(task, user=world.responsible_user, text="x")
    assert set(Task.objects.inbox(world.office)) == {task}
    assert set(Task.objects.inbox(world.outsider)) == set()


def test_the_inbox_and_a_units_list_stay_within_what_each_person_may_see(world, task):
    services.task_submit(task, user=world.responsible_user, text="x")
    services.create_task(
        title="江北", owner_unit=world.foreign_project.owner_unit, deadline=TODAY,
        project=world.foreign_project,
    )  # fmt: skip
    for name, person in world.personas().items():
        visible = set(Task.objects.visible_to(person))
        assert set(Task.objects.inbox(person)) <= visible, name
        for unit in (world.owner, world.responsible, world.foreign_project.owner_unit):
            assert set(Task.objects.of_unit(unit, person)) <= visible, (name, unit)
