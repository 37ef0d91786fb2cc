"""Deadlines with time frozen: an overdue hazard escalates once to the office and the leader in
charge; its task escalates through supervision; a later deadline takes the escalation back."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from keyprojects.inspections import services
from keyprojects.inspections.models import Hazard
from keyprojects.inspections.selectors import overdue_hazards
from keyprojects.notifications.models import Notification
from keyprojects.supervision import services as tasks
from keyprojects.supervision.models import Task
from tests.factories import UserFactory

from .conftest import TODAY, photo

DEADLINE = TODAY + dt.timedelta(days=1)  # the fixture's major hazard: one day to rectify


def on(frozen, day: dt.date) -> None:
    frozen.move_to(dt.datetime.combine(day, dt.time(1), tzinfo=dt.UTC))


def overdue_notices(user) -> int:
    return Notification.objects.filter(user=user, kind="hazard_overdue").count()


def test_not_overdue_on_the_deadline_day(world, hazard, frozen):
    on(frozen, DEADLINE)
    assert services.hazards_check_deadlines() == 0
    assert not overdue_hazards([world.district.pk]).exists()
    assert not hazard.is_overdue()


def test_the_day_after_it_escalates_to_the_office_and_the_leader_once(world, hazard, frozen):
    on(frozen, DEADLINE + dt.timedelta(days=1))
    assert services.hazards_check_deadlines() == 1
    escalated = Hazard.objects.get(pk=hazard.pk)
    assert escalated.escalated_at is not None and escalated.is_overdue()
    assert overdue_notices(world.office) == 1 and overdue_notices(world.leader) == 1
    assert overdue_notices(world.owner_user) == 0 and overdue_notices(world.outsider) == 0
    notice = Notification.objects.get(user=world.leader, kind="hazard_overdue")
    assert "overdue by 1 day;" in notice.body and notice.url == f"/inspections/hazards/{hazard.pk}/"

    on(frozen, DEADLINE + dt.timedelta(days=2))
    assert services.hazards_check_deadlines() == 0
    assert overdue_notices(world.office) == 1


def test_the_leader_in_charge_is_the_one_told_when_named(world, hazard, frozen):
    named = UserFactory(username="fu", full_name="分管副区长", role="leader",
                        jurisdiction=world.district)  # fmt: skip
    world.project.leader_in_charge = "分管副区长"
    world.project.save()
    on(frozen, DEADLINE + dt.timedelta(days=3))
    services.hazards_check_deadlines()
    assert overdue_notices(named) == 1 and overdue_notices(world.leader) == 0


def test_the_supervision_check_escalates_the_task_too(world, hazard, frozen):
    on(frozen, DEADLINE + dt.timedelta(days=1))
    run = tasks.tasks_check_deadlines()
    assert run.escalated == 1
    assert Task.objects.get(pk=hazard.task_id).escalation_level == 1


def test_a_hazard_rectified_in_time_is_not_escalated(world, hazard, frozen):
    services.hazard_rectify(user=world.owner_user, hazard=hazard, upload=photo())
    on(frozen, DEADLINE + dt.timedelta(days=5))
    assert services.hazards_check_deadlines() == 0
    assert not overdue_hazards(None).exists()


def test_a_returned_hazard_past_its_deadline_is_overdue(world, hazard, frozen):
    services.hazard_rectify(user=world.owner_user, hazard=hazard, upload=photo())
    services.hazard_return(user=world.office, hazard=Hazard.objects.get(pk=hazard.pk), reason="x")
    on(frozen, DEADLINE + dt.timedelta(days=2))
    assert list(overdue_hazards([world.district.pk])) == [Hazard.objects.get(pk=hazard.pk)]
    assert services.hazards_check_deadlines() == 1


def test_a_later_deadline_takes_the_escalation_back_and_can_escalate_again(world, hazard, frozen):
    on(frozen, DEADLINE + dt.timedelta(days=1))
    services.hazards_check_deadlines()
    later = DEADLINE + dt.timedelta(days=10)
    tasks.task_extend(Task.objects.get(pk=hazard.task_id), user=world.office, deadline=later,
                      reason="材料未到")  # fmt: skip
    moved = Hazard.objects.get(pk=hazard.pk)
    assert moved.deadline == later and moved.escalated_at is None
    assert not overdue_hazards([world.district.pk]).exists()

    on(frozen, later + dt.timedelta(days=1))
    assert services.hazards_check_deadlines() == 1
    assert overdue_notices(world.office) == 2  # a new deadline missed: told again


def test_overdue_hazards_keeps_to_the_jurisdictions_asked(world, hazard, frozen):
    on(frozen, DEADLINE + dt.timedelta(days=1))
    assert overdue_hazards([world.other_district.pk]).count() == 0
    assert overdue_hazards([world.district.pk]).count() == 1
    assert overdue_hazards(None, today=DEADLINE).count() == 0


@pytest.mark.parametrize("args", [[], ["--date", "2026-06-12"]])
def test_the_daily_command(world, hazard, frozen, args):
    on(frozen, DEADLINE + dt.timedelta(days=1))
    out = io.StringIO()
    call_command("hazards", *args, stdout=out)
    assert "1" in out.getvalue()
    assert Hazard.objects.get(pk=hazard.pk).escalated_at is not None
