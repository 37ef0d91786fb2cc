"""A hazard's rectification: reported with evidence, accepted (closed) or returned, always in
step with its supervised task, whichever page or service moved it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from keyprojects.audit.models import AuditEntry
from keyprojects.inspections import services
from keyprojects.inspections.choices import HazardStatus
from keyprojects.inspections.models import Hazard
from keyprojects.notifications.models import Notification
from keyprojects.supervision import services as tasks
from keyprojects.supervision.choices import TaskStatus
from keyprojects.supervision.models import Task

from .conftest import TODAY, mark, photo


def fresh(hazard):
    return Hazard.objects.select_related("task").get(pk=hazard.pk)


def test_the_whole_path_rectify_return_rectify_again_accept(world, hazard):
    services.hazard_rectify(user=world.owner_user, hazard=hazard, text="已加装防护栏杆",
                            upload=photo())  # fmt: skip
    hazard = fresh(hazard)
    assert hazard.status == HazardStatus.RECTIFIED and hazard.rectified_at is not None
    assert hazard.task.status == TaskStatus.SUBMITTED
    assert Notification.objects.filter(user=world.office, kind="task_submitted").exists()

    services.hazard_return(user=world.office, hazard=hazard, reason="西侧仍缺挡脚板")
    hazard = fresh(hazard)
    assert hazard.status == HazardStatus.RETURNED and hazard.task.status == TaskStatus.OPEN
    assert Notification.objects.filter(user=world.owner_user, kind="task_returned").exists()

    services.hazard_rectify(user=world.owner_user, hazard=hazard, upload=photo("again.jpg"))
    services.hazard_accept(user=world.office, hazard=fresh(hazard), text="复查合格")
    hazard = fresh(hazard)
    assert hazard.status == HazardStatus.CLOSED and hazard.closed_at is not None
    assert hazard.task.status == TaskStatus.DONE
    evidence = hazard.task.updates.exclude(file="")
    assert evidence.count() == 2 and all(u.thumbnail for u in evidence)
    statuses = AuditEntry.objects.filter(model="inspections.hazard", object_id=str(hazard.pk))
    assert [e.after["status"] for e in statuses.order_by("seq")] == [
        "open", "open", "rectified", "returned", "rectified", "closed",
    ]  # fmt: skip


def test_a_rectification_needs_evidence(world, hazard):
    with pytest.raises(services.IllegalMove, match="photo or file"):
        services.hazard_rectify(user=world.owner_user, hazard=hazard, text="已整改")
    assert fresh(hazard).status == HazardStatus.OPEN
    assert fresh(hazard).task.status == TaskStatus.OPEN


def test_the_task_itself_refuses_to_close_without_a_file(world, hazard):
    """Through the task page, the hazard's task needs its evidence too."""
    with pytest.raises(tasks.IllegalMove, match="evidence"):
        tasks.task_submit(hazard.task, user=world.owner_user, text="已整改")
    assert fresh(hazard).status == HazardStatus.OPEN


def test_reporting_done_on_the_task_page_moves_the_hazard(world, hazard):
    tasks.task_submit(hazard.task, user=world.owner_user, text="已整改", upload=photo())
    assert fresh(hazard).status == HazardStatus.RECTIFIED
    tasks.task_accept(Task.objects.get(pk=hazard.task_id), user=world.office)
    assert fresh(hazard).status == HazardStatus.CLOSED


def test_only_a_rectified_hazard_is_accepted_or_returned(world, hazard):
    with pytest.raises(services.IllegalMove, match="Only a rectified hazard can be accepted"):
        services.hazard_accept(user=world.office, hazard=hazard)
    with pytest.raises(services.IllegalMove, match="Only a rectified hazard can be returned"):
        services.hazard_return(user=world.office, hazard=hazard, reason="x")
    assert fresh(hazard).status == HazardStatus.OPEN


def test_a_hazard_waiting_for_acceptance_is_not_reported_again(world, hazard):
    services.hazard_rectify(user=world.owner_user, hazard=hazard, upload=photo())
    with pytest.raises(services.IllegalMove, match="Only a hazard to rectify"):
        services.hazard_rectify(user=world.owner_user, hazard=fresh(hazard), upload=photo())


def test_a_return_needs_a_reason(world, hazard):
    services.hazard_rectify(user=world.owner_user, hazard=hazard, upload=photo())
    with pytest.raises(tasks.IllegalMove, match="why"):
        services.hazard_return(user=world.office, hazard=fresh(hazard), reason=" ")
    assert fresh(hazard).status == HazardStatus.RECTIFIED


@pytest.mark.parametrize("persona", ["responsible_user", "bystander_user", "leader", "auditor"])
def test_only_the_responsible_unit_and_the_office_rectify(world, hazard, persona):
    with pytest.raises(PermissionDenied):
        services.hazard_rectify(user=getattr(world, persona), hazard=hazard, upload=photo())
    assert fresh(hazard).status == HazardStatus.OPEN


def test_the_office_may_report_for_the_unit(world, hazard):
    services.hazard_rectify(user=world.office, hazard=hazard, upload=photo())
    assert fresh(hazard).status == HazardStatus.RECTIFIED


@pytest.mark.parametrize("persona", ["owner_user", "responsible_user", "leader", "auditor"])
def test_without_an_inspecting_unit_only_the_office_accepts(world, hazard, persona):
    services.hazard_rectify(user=world.owner_user, hazard=hazard, upload=photo())
    with pytest.raises(PermissionDenied):
        services.hazard_accept(user=getattr(world, persona), hazard=fresh(hazard))
    assert fresh(hazard).status == HazardStatus.RECTIFIED


def test_a_decision_on_a_stale_page_is_refused(world, hazard):
    read = fresh(hazard).task.version
    services.hazard_rectify(user=world.owner_user, hazard=hazard, upload=photo(), version=read)
    with pytest.raises(tasks.IllegalMove, match="Someone else"):
        services.hazard_accept(user=world.office, hazard=fresh(hazard), version=read)
    assert fresh(hazard).status == HazardStatus.RECTIFIED


def test_cancelling_and_reopening_the_task_moves_the_hazard(world, hazard):
    tasks.task_cancel(hazard.task, user=world.office, reason="误判")
    assert fresh(hazard).status == HazardStatus.CANCELLED
    tasks.task_reopen(Task.objects.get(pk=hazard.task_id), user=world.office, reason="复核属实")
    hazard = fresh(hazard)
    assert hazard.status == HazardStatus.OPEN and hazard.closed_at is None


def test_a_changed_deadline_or_owner_on_the_task_is_the_hazards(world, hazard, frozen):
    new = TODAY + dt.timedelta(days=10)
    tasks.task_extend(hazard.task, user=world.office, deadline=new, reason="需采购材料")
    assert fresh(hazard).deadline == new
    tasks.task_reassign(
        Task.objects.get(pk=hazard.task_id), user=world.office, owner_unit=world.responsible
    )
    assert fresh(hazard).responsible_unit == world.responsible
    # The responsible unit now rectifies it; the owner unit no longer may.
    with pytest.raises(PermissionDenied):
        services.hazard_rectify(user=world.owner_user, hazard=fresh(hazard), upload=photo())
    services.hazard_rectify(user=world.responsible_user, hazard=fresh(hazard), upload=photo())
    assert fresh(hazard).status == HazardStatus.RECTIFIED


def test_a_hazard_without_its_task_says_so(world, hazard):
    Task.objects.filter(pk=hazard.task_id).delete()
    with pytest.raises(services.IllegalMove, match="no rectification task"):
        services.hazard_rectify(user=world.owner_user, hazard=fresh(hazard), upload=photo())


def test_after_a_self_inspection_the_office_hears_of_the_rectification(world, checklist, frozen):
    draft = services.inspection_start(
        user=world.owner_user, project=world.project, template=checklist, date=TODAY
    )
    mark(draft, world.owner_user, "fail", "pass", "pass")
    (hazard,) = services.inspection_complete(user=world.owner_user, inspection=draft)
    assert hazard.task.issued_by is None and hazard.responsible_unit == world.owner
    services.hazard_rectify(user=world.owner_user, hazard=hazard, upload=photo())
    assert Notification.objects.filter(user=world.office, kind="task_submitted").exists()
    services.hazard_accept(user=world.office, hazard=fresh(hazard))
    assert fresh(hazard).status == HazardStatus.CLOSED


def test_the_unit_that_found_a_hazard_checks_its_rectification(world, found_by_a_department):
    hazard = found_by_a_department
    services.hazard_rectify(user=world.owner_user, hazard=hazard, upload=photo())
    notice = Notification.objects.get(user=world.bystander_user, kind="task_submitted")
    assert notice.url == hazard.get_absolute_url()  # its page, which the unit may read
    assert Notification.objects.filter(user=world.office, kind="task_submitted").exists()
    with pytest.raises(PermissionDenied):  # the rectifying unit does not accept its own work
        services.hazard_accept(user=world.owner_user, hazard=fresh(hazard))
    services.hazard_return(user=world.bystander_user, hazard=fresh(hazard), reason="仍缺挡脚板")
    assert fresh(hazard).status == HazardStatus.RETURNED
    services.hazard_rectify(user=world.owner_user, hazard=fresh(hazard), upload=photo("2.jpg"))
    services.hazard_accept(user=world.bystander_user, hazard=fresh(hazard), text="复查合格")
    hazard = fresh(hazard)
    assert hazard.status == HazardStatus.CLOSED
    assert hazard.task.updates.filter(author=world.bystander_user).count() == 2


def test_the_checking_unit_accepts_and_returns_but_decides_nothing_else(
    world, found_by_a_department
):
    task = found_by_a_department.task
    assert tasks.can_check(world.bystander_user, task)
    assert not tasks.can_decide(world.bystander_user, task)
    with pytest.raises(PermissionDenied):
        tasks.task_cancel(task, user=world.bystander_user, reason="误判")
    with pytest.raises(PermissionDenied):
        tasks.task_extend(task, user=world.bystander_user, deadline=TODAY, reason="延期")


def test_a_unit_that_inspected_itself_does_not_accept_its_own_rectification(
    world, checklist, frozen
):
    draft = services.inspection_start(
        user=world.owner_user, project=world.project, template=checklist, date=TODAY
    )
    mark(draft, world.owner_user, "fail", "pass", "pass")
    (hazard,) = services.inspection_complete(user=world.owner_user, inspection=draft)
    services.hazard_rectify(user=world.owner_user, hazard=hazard, upload=photo())
    with pytest.raises(PermissionDenied):
        services.hazard_accept(user=world.owner_user, hazard=fresh(hazard))
