"""An alert's life: opened and told, turned red, acknowledged, resolved by the office or by
itself, its task made and cancelled, fired again later as a new alert."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keyprojects.alerts import services
from keyprojects.alerts.choices import AlertKind, AlertStatus, EventKind
from keyprojects.alerts.models import Alert
from keyprojects.audit.models import AuditEntry
from keyprojects.notifications.models import Notification
from keyprojects.supervision.choices import SourceKind, TaskStatus
from keyprojects.supervision.models import Task
from keyprojects.supervision.sources import tasks_of

from .conftest import evaluate, light, on, set_rule, tracked

PACE = AlertKind.PACE_LAG
JUNE = dt.date(2026, 6, 10)


@pytest.fixture
def yellow(world):
    light(world.project, 2026, 5, "-15")
    evaluate(world, JUNE, PACE)
    return Alert.objects.get(kind=PACE)


def kinds(alert):
    return list(alert.events.values_list("kind", flat=True))


def test_a_new_alert_tells_the_unit_that_answers_and_the_office(world, yellow):
    assert yellow.status == AlertStatus.OPEN and yellow.severity == "yellow"
    assert yellow.owner_unit == world.owner  # the rule's default: the project's owner unit
    assert yellow.jurisdiction == world.district
    assert kinds(yellow) == [EventKind.OPENED]
    opened = Notification.objects.filter(kind="alert_opened")
    told = set(opened.values_list("user__username", flat=True))
    assert told == {"owner_user", "office"}


def test_what_the_rules_do_is_told_by_events_and_what_people_do_is_audited_too(
    world, yellow, english
):
    entries = AuditEntry.objects.filter(model="alerts.alert", object_id=str(yellow.pk))
    assert not entries.exists()  # computed, like a light: its events tell it
    english(world.owner_user).post(
        f"/alerts/{yellow.pk}/act/", {"action": "acknowledge", "note": "已倒排工期"}
    )
    (entry,) = entries
    assert entry.actor == world.owner_user and entry.after["status"] == "acknowledged"


def test_evaluating_again_changes_nothing(world, yellow):
    outcome = evaluate(world, JUNE, PACE)
    assert outcome.counts() == dict.fromkeys(outcome.counts(), 0)
    assert Alert.objects.count() == 1 and kinds(yellow) == [EventKind.OPENED]
    assert Notification.objects.filter(kind="alert_opened").count() == 2


def test_turning_red_is_news_and_makes_a_supervised_task(world, yellow):
    light(world.project, 2026, 5, "-35")
    evaluate(world, JUNE, PACE)
    yellow.refresh_from_db()
    assert yellow.severity == "red"
    assert kinds(yellow) == [EventKind.OPENED, EventKind.RAISED, EventKind.TASK_MADE]
    assert Notification.objects.filter(kind="alert_raised", user=world.owner_user).exists()
    task = yellow.task
    assert task.source_kind == SourceKind.ALERT and task.owner_unit == world.owner
    assert task.project == world.project and task.deadline == JUNE + dt.timedelta(days=15)
    assert list(tasks_of(yellow)) == [task]


def test_a_yellow_alert_makes_no_task_unless_the_rule_says_so(world, yellow):
    assert yellow.task is None
    set_rule(world, PACE, task_severity="yellow", today=JUNE)
    yellow.refresh_from_db()
    assert yellow.task is not None


def test_an_alert_that_clears_resolves_itself_and_cancels_its_open_task(world):
    light(world.project, 2026, 5, "-35")
    evaluate(world, JUNE, PACE)
    alert = Alert.objects.get(kind=PACE)
    light(world.project, 2026, 5, "-5")
    evaluate(world, JUNE + dt.timedelta(days=1), PACE)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and alert.resolved_by_itself
    assert not alert.tracked and alert.resolved_at is not None
    assert alert.task.status == TaskStatus.CANCELLED
    assert kinds(alert)[-2:] == [EventKind.CLEARED, EventKind.TASK_CANCELLED]


def test_a_condition_that_comes_back_opens_a_new_alert_and_keeps_the_old(world, yellow):
    light(world.project, 2026, 5, "-5")
    evaluate(world, JUNE, PACE)
    light(world.project, 2026, 5, "-12")
    evaluate(world, JUNE, PACE)
    alerts = list(Alert.objects.filter(kind=PACE).order_by("opened_at", "pk"))
    assert [a.status for a in alerts] == [AlertStatus.RESOLVED, AlertStatus.OPEN]
    assert alerts[1].pk != yellow.pk


def test_the_owner_unit_acknowledges_with_a_note(world, yellow):
    alert = services.alert_acknowledge(yellow, user=world.owner_user, note="已倒排工期")
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == world.owner_user
    event = alert.events.last()
    assert event.kind == EventKind.ACKNOWLEDGED and event.note == "已倒排工期"
    # Still followed: it clears by itself like an open one.
    light(world.project, 2026, 5, "0")
    evaluate(world, JUNE, PACE)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and alert.resolved_by_itself


@pytest.mark.parametrize("who", ["bystander_user", "responsible_user", "leader", "auditor",
                                 "outsider"])  # fmt: skip
def test_only_the_unit_that_answers_or_the_office_acknowledges(world, yellow, who):
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(yellow, user=getattr(world, who), note="x")
    yellow.refresh_from_db()
    assert yellow.status == AlertStatus.OPEN


@pytest.mark.parametrize(
    ("note", "version", "message"),
    [
        ("  ", None, "Say what is being done"),
        ("好", 99, "Someone else changed this alert"),
    ],
)
def test_acknowledging_without_a_note_or_from_a_stale_page_is_refused(
    world, yellow, note, version, message
):
    with pytest.raises(ValidationError, match=message):
        services.alert_acknowledge(yellow, user=world.office, note=note, version=version)
    yellow.refresh_from_db()
    assert yellow.status == AlertStatus.OPEN and kinds(yellow) == [EventKind.OPENED]


def test_a_resolved_alert_cannot_be_acknowledged_or_resolved_again(world, yellow):
    services.alert_resolve(yellow, user=world.office, note="已专题研究")
    yellow.refresh_from_db()
    with pytest.raises(ValidationError, match="Only an open alert"):
        services.alert_acknowledge(yellow, user=world.owner_user, note="x")
    with pytest.raises(ValidationError, match="Only an open or acknowledged alert"):
        services.alert_resolve(yellow, user=world.office, note="x")


def test_only_the_office_resolves_and_says_why(world, yellow):
    with pytest.raises(PermissionDenied):
        services.alert_resolve(yellow, user=world.owner_user, note="x")
    with pytest.raises(PermissionDenied):
        services.alert_resolve(yellow, user=world.outsider, note="x")
    with pytest.raises(ValidationError, match="Say why"):
        services.alert_resolve(yellow, user=world.office, note="")
    alert = services.alert_resolve(yellow, user=world.office, note="调度会已研究")
    assert alert.status == AlertStatus.RESOLVED and not alert.resolved_by_itself
    assert alert.resolved_by == world.office


def test_the_office_resolving_holds_while_the_condition_does_unless_it_worsens(world, yellow):
    services.alert_resolve(yellow, user=world.office, note="调度会已研究")
    evaluate(world, JUNE + dt.timedelta(days=1), PACE)
    assert tracked(PACE) == {}  # not raised again for the same condition
    light(world.project, 2026, 5, "-31")
    evaluate(world, JUNE + dt.timedelta(days=2), PACE)
    assert list(tracked(PACE).values()) == ["red"]  # worse: news again
    yellow.refresh_from_db()
    assert not yellow.tracked


def test_the_office_resolving_an_alert_cancels_its_task(world):
    light(world.project, 2026, 5, "-35")
    evaluate(world, JUNE, PACE)
    alert = Alert.objects.get(kind=PACE)
    services.alert_resolve(alert, user=world.office, note="已纳入调度会督办")
    alert.task.refresh_from_db()
    assert alert.task.status == TaskStatus.CANCELLED
    # Once the condition clears the alert is no longer followed; when it comes back, it opens
    # a new alert and a new task.
    light(world.project, 2026, 5, "0")
    evaluate(world, JUNE, PACE)
    alert.refresh_from_db()
    assert not alert.tracked and not alert.resolved_by_itself
    light(world.project, 2026, 5, "-40")
    evaluate(world, JUNE, PACE)
    again = Alert.objects.active().get(kind=PACE)
    assert again.task is not None and again.task != alert.task


def test_switching_a_rule_off_resolves_its_alerts_and_on_again_raises_them(world):
    light(world.project, 2026, 5, "-35")
    evaluate(world, JUNE, PACE)
    alert = Alert.objects.get(kind=PACE)
    set_rule(world, PACE, enabled=False)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and not alert.tracked
    assert alert.events.filter(kind=EventKind.RULE_OFF, actor=world.office).exists()
    assert alert.task.status == TaskStatus.CANCELLED
    assert evaluate(world, JUNE, PACE).counts()["opened"] == 0
    set_rule(world, PACE, enabled=True, today=JUNE)
    assert list(tracked(PACE).values()) == ["red"]


def test_changing_the_owner_moves_the_open_alerts(world, yellow):
    set_rule(world, PACE, owner="responsible_unit", today=JUNE)
    yellow.refresh_from_db()
    assert yellow.owner_unit == world.responsible


def test_deleting_an_alert_keeps_its_task_marked(world):
    light(world.project, 2026, 5, "-35")
    evaluate(world, JUNE, PACE)
    alert = Alert.objects.get(kind=PACE)
    task = alert.task
    alert.delete()
    task.refresh_from_db()
    assert task.source_removed_at is not None


def test_a_task_made_by_an_alert_reads_in_the_sites_language(world):
    light(world.project, 2026, 5, "-35")
    with on(JUNE):
        services.alerts_evaluate(jurisdiction_id=world.district.pk, kinds=[PACE])
    task = Task.objects.get(source_kind=SourceKind.ALERT)
    assert world.project.name in task.title
    assert "2026-05" in task.detail


def test_beyond_a_handful_tasks_are_left_to_the_worker(world, monkeypatch, committed):
    from django_tasks_db.models import DBTaskResult

    from keyprojects.alerts import evaluation
    from keyprojects.alerts.tasks import make_alert_tasks

    monkeypatch.setattr(evaluation, "TASKS_INLINE", 1)
    light(world.project, 2026, 5, "-35")
    light(world.other_project, 2026, 5, "-40")
    with on(JUNE), committed():
        outcome = services.alerts_evaluate(jurisdiction_id=world.district.pk, kinds=[PACE])
    assert outcome.tasks_made == 1
    assert Alert.objects.filter(task__isnull=True).count() == 1
    assert DBTaskResult.objects.filter(task_path__endswith="make_alert_tasks").exists()
    with on(JUNE):
        assert make_alert_tasks.call() == 1
        assert make_alert_tasks.call() == 0  # each alert gets one task, once
    assert Task.objects.filter(source_kind=SourceKind.ALERT).count() == 2
