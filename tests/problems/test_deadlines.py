"""Deadlines by severity in working days, and escalation when a problem is overdue, with the
clock frozen."""

from __future__ import annotations

import datetime as dt

import time_machine

from keyprojects.notifications.models import Notification
from keyprojects.problems import services
from keyprojects.problems.choices import EventKind, ProblemStatus, Severity
from keyprojects.problems.deadlines import add_days, deadline_for
from keyprojects.supervision.sources import tasks_of
from tests.factories import UserFactory

from .conftest import finish_part, fresh

UTC = dt.UTC


def at(day: dt.date, hour: int = 10):
    """The clock frozen at `hour` o'clock, Beijing time, on `day`."""
    moment = dt.datetime.combine(day, dt.time(hour)) - dt.timedelta(hours=8)
    return time_machine.travel(moment.replace(tzinfo=UTC), tick=False)


def test_the_default_days_are_working_days_by_severity():
    monday = dt.date(2026, 6, 1)

    assert deadline_for(Severity.URGENT, monday) == dt.date(2026, 6, 4)
    assert deadline_for(Severity.IMPORTANT, monday) == dt.date(2026, 6, 10)
    # Fifteen working days, the Dragon Boat Festival (Friday 19 June) not among them.
    assert deadline_for(Severity.GENERAL, monday) == dt.date(2026, 6, 23)


def test_holidays_are_skipped_and_exchanged_weekend_days_count():
    # Wednesday 30 September 2026: 1-7 October are off, Saturday 10 October is worked.
    assert add_days(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    # Sunday 20 September is a working day given in exchange for the Mid-Autumn Festival.
    assert add_days(dt.date(2026, 9, 19), 1) == dt.date(2026, 9, 20)


def test_days_per_severity_are_configurable(settings):
    settings.KEYPROJECTS_PROBLEM_DAYS = {"urgent": 1}

    assert deadline_for(Severity.URGENT, dt.date(2026, 6, 5)) == dt.date(2026, 6, 8)
    assert deadline_for(Severity.IMPORTANT, dt.date(2026, 6, 1)) == dt.date(2026, 6, 10)


def test_calendar_days_when_configured(settings):
    settings.KEYPROJECTS_PROBLEM_WORKING_DAYS = False

    assert add_days(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 3)


def test_beyond_the_holiday_data_monday_to_friday_are_working_days():
    friday = dt.date(2031, 1, 3)

    assert add_days(friday, 1) == dt.date(2031, 1, 6)


def test_an_overdue_problem_escalates_once_to_the_leader_in_charge(world, raise_problem):
    world.leader.full_name = "分管城建副区长"
    world.leader.save()
    other_leader = UserFactory(
        username="other_leader", role="leader", jurisdiction=world.district, full_name="常务副区长"
    )
    world.project.leader_in_charge = "分管城建副区长"
    world.project.save()
    with at(dt.date(2026, 6, 1)):
        problem = raise_problem(severity=Severity.URGENT)
        services.problem_assign(problem, user=world.office, units=[world.responsible])
    assert fresh(problem).deadline == dt.date(2026, 6, 4)

    with at(dt.date(2026, 6, 4), 23):
        assert services.problems_check_deadlines().escalated == 0
    assert fresh(problem).escalated_at is None

    with at(dt.date(2026, 6, 5), 1):
        run = services.problems_check_deadlines()
    problem = fresh(problem)
    assert run.escalated == 1
    assert problem.escalated_at is not None and problem.status == ProblemStatus.ASSIGNED
    event = problem.events.get(kind=EventKind.ESCALATED)
    assert "Overdue by 1 days" in event.text
    notices = Notification.objects.filter(kind="problem_overdue")
    assert set(notices.values_list("user__username", flat=True)) == {"leader", "office"}
    assert other_leader.username not in set(notices.values_list("user__username", flat=True))

    with at(dt.date(2026, 6, 6)):
        assert services.problems_check_deadlines().escalated == 0
    assert Notification.objects.filter(kind="problem_overdue").count() == 2
    assert problem.events.filter(kind=EventKind.ESCALATED).count() == 1


def test_the_agenda_takes_up_overdue_and_escalated_problems(world, raise_problem):
    with at(dt.date(2026, 6, 1)):
        late = raise_problem(severity=Severity.URGENT, title="逾期问题")
        services.problem_assign(late, user=world.office, units=[world.responsible])
        on_time = raise_problem(severity=Severity.GENERAL, title="未到期问题")
        services.problem_assign(on_time, user=world.office, units=[world.responsible])
        done = raise_problem(severity=Severity.URGENT, title="已解决问题")
        services.problem_assign(done, user=world.office, units=[world.bystander_unit])
        finish_part(world, done, world.bystander_unit, world.bystander_user)
    with at(dt.date(2026, 6, 8)):
        services.problems_check_deadlines()
        agenda = list(services.agenda_problems([world.district.pk]))
        assert [p.title for p in agenda] == ["逾期问题"]
        assert list(services.agenda_problems([world.other_district.pk])) == []
        assert [p.title for p in services.agenda_problems(None)] == ["逾期问题"]

        # A new deadline takes the problem off the agenda and lets it escalate again later.
        services.problem_set_deadline(
            fresh(late), user=world.office, deadline=dt.date(2026, 6, 12), reason="方案调整"
        )
        assert list(services.agenda_problems([world.district.pk])) == []
    assert fresh(late).escalated_at is None
    assert tasks_of(late).get().deadline == dt.date(2026, 6, 12)
    with at(dt.date(2026, 6, 15)):
        assert services.problems_check_deadlines().escalated == 1


def test_a_problem_left_unassigned_reminds_the_office_once(world, raise_problem):
    with at(dt.date(2026, 6, 1)):
        problem = raise_problem()
    Notification.objects.all().delete()

    with at(dt.date(2026, 6, 3)):
        assert services.problems_check_deadlines().triage_reminders == 0
    with at(dt.date(2026, 6, 4)):
        assert services.problems_check_deadlines().triage_reminders == 1
    with at(dt.date(2026, 6, 5)):
        assert services.problems_check_deadlines().triage_reminders == 0
    notice = Notification.objects.get(kind="problem_untriaged")
    assert notice.user == world.office and notice.url == problem.get_absolute_url()


def test_a_resolved_problem_is_not_escalated(world, resolved):
    far = dt.date.today() + dt.timedelta(days=400)

    assert services.problems_check_deadlines(today=far).escalated == 0
    assert fresh(resolved).escalated_at is None
