"""The daily digest: at each person's hour, once a day, what is new and unread since the last
one, their open and overdue tasks, and nothing they muted."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from keyprojects.jobs.daily import run_daily
from keyprojects.notifications.digest import send_digests
from keyprojects.notifications.models import Digest, Notification, NotificationPreference
from keyprojects.notifications.services import notify, preferences_update
from keyprojects.supervision import services as tasks

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 6, 10)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def settings_for(user, *muted, **values):
    preferences_update(
        user=user,
        muted_kinds=muted,
        **{"email_enabled": False, "digest_enabled": True, "digest_hour": 8, "digest_tasks": True}
        | values,
    )


@pytest.fixture
def people(world):
    for user in (world.owner_user, world.responsible_user, world.office, world.leader):
        user.email = f"{user.username}@example.gov.cn"
        user.save()
    return world


@pytest.fixture
def overdue_task(people):
    with time_machine.travel(at(DAY - dt.timedelta(days=20), 10), tick=False):
        return tasks.create_task(
            title="协调电力管线迁改", owner_unit=people.responsible, project=people.project,
            deadline=DAY - dt.timedelta(days=3), issued_by=people.office,
        )  # fmt: skip


def digests_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_at_the_persons_hour_once_a_day_with_unread_notices_and_tasks(people, overdue_task):
    settings_for(people.responsible_user)
    with time_machine.travel(at(DAY, 7), tick=False):
        notify([people.responsible_user], kind="report_due", key="r1", title="月报即将到期：老鼓楼")
        mail.outbox.clear()
        assert send_digests().sent == 0  # 07:00: not yet their hour
    with time_machine.travel(at(DAY, 8, 5), tick=False):
        run = send_digests()
        assert send_digests().sent == 0  # a second run the same day sends nothing
    assert run.sent >= 1
    (message,) = digests_to(people.responsible_user)
    assert "2026-06-10" in message.subject
    assert "月报即将到期：老鼓楼" in message.body
    assert "协调电力管线迁改" in message.body
    assert f"http://127.0.0.1:8000/tasks/{overdue_task.pk}/" in message.body
    assert "http://127.0.0.1:8000/messages/settings/" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert f'href="http://127.0.0.1:8000/tasks/{overdue_task.pk}/"' in html
    digest = Digest.objects.get(user=people.responsible_user)
    assert (digest.day, digest.notices, digest.tasks, digest.overdue) == (DAY, 1, 1, 1)
    assert digest.created_at == at(DAY, 8, 5)


def test_the_next_day_only_what_came_since_and_is_still_unread(people):
    settings_for(people.owner_user, digest_tasks=False)
    with time_machine.travel(at(DAY, 6), tick=False):
        notify([people.owner_user], kind="report_due", key="1", title="第一条通知")
    with time_machine.travel(at(DAY, 9), tick=False):
        send_digests()
    with time_machine.travel(at(DAY, 15), tick=False):
        notify([people.owner_user], kind="report_due", key="2", title="第二条通知")
        notify([people.owner_user], kind="report_due", key="3", title="第三条已读")
        Notification.objects.filter(key="3").update(read_at=at(DAY, 16))
    mail.outbox.clear()
    with time_machine.travel(at(DAY + dt.timedelta(days=1), 8), tick=False):
        assert send_digests().sent == 1
    (message,) = mail.outbox
    assert "第二条通知" in message.body
    assert "第一条通知" not in message.body and "第三条已读" not in message.body


def test_muted_kinds_stay_out_of_the_digest(people):
    settings_for(people.owner_user, "report_due", digest_tasks=False)
    with time_machine.travel(at(DAY, 6), tick=False):
        notify([people.owner_user], kind="report_due", key="1", title="月报提醒")
        notify([people.owner_user], kind="problem_assigned", key="1", title="问题交办")
    with time_machine.travel(at(DAY, 8), tick=False):
        send_digests()
    (message,) = digests_to(people.owner_user)
    assert "问题交办" in message.body and "月报提醒" not in message.body


def test_the_digest_checks_mutes_itself_not_only_the_inbox(people):
    """A notice that is still unread though its kind is muted (muted by some other way than
    the settings page) stays out of the digest too."""
    settings_for(people.owner_user, digest_tasks=False)
    with time_machine.travel(at(DAY, 6), tick=False):
        notify([people.owner_user], kind="report_due", key="1", title="月报提醒")
        notify([people.owner_user], kind="problem_assigned", key="1", title="问题交办")
    NotificationPreference.objects.filter(user=people.owner_user).update(muted_kinds=["report_due"])
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    with time_machine.travel(at(DAY, 8), tick=False):
        send_digests()
    (message,) = digests_to(people.owner_user)
    assert "问题交办" in message.body and "月报提醒" not in message.body


def test_nothing_to_say_sends_nothing_and_a_digest_switched_off_sends_nothing(people):
    settings_for(people.owner_user, digest_tasks=False)
    settings_for(people.responsible_user, digest_enabled=False)
    with time_machine.travel(at(DAY, 6), tick=False):
        notify([people.responsible_user], kind="report_due", key="1", title="月报提醒")
    with time_machine.travel(at(DAY, 8), tick=False):
        run = send_digests()
    assert digests_to(people.owner_user) == [] and digests_to(people.responsible_user) == []
    assert Digest.objects.get(user=people.owner_user).emailed is False
    assert not Digest.objects.filter(user=people.responsible_user).exists()
    assert run.quiet >= 1


def test_a_failed_send_is_tried_again_by_the_next_run(people, settings, monkeypatch):
    settings_for(people.owner_user, digest_tasks=False)
    with time_machine.travel(at(DAY, 6), tick=False):
        notify([people.owner_user], kind="report_due", key="1", title="月报提醒")
    from django.core.mail import EmailMultiAlternatives

    def down(self, fail_silently=False):
        raise OSError("mail server down")

    with monkeypatch.context() as patched, time_machine.travel(at(DAY, 8), tick=False):
        patched.setattr(EmailMultiAlternatives, "send", down)
        assert send_digests().failed >= 1
    assert not Digest.objects.filter(user=people.owner_user).exists()
    with time_machine.travel(at(DAY, 9), tick=False):
        send_digests()
    assert len(digests_to(people.owner_user)) == 1


def test_people_without_an_address_or_switched_off_are_skipped(people):
    people.owner_user.email = ""
    people.owner_user.save()
    people.leader.is_active = False
    people.leader.save()
    with time_machine.travel(at(DAY, 6), tick=False):
        notify([people.owner_user], kind="report_due", key="1", title="月报提醒")
    with time_machine.travel(at(DAY, 9), tick=False):
        send_digests()
    assert not Digest.objects.filter(user__in=[people.owner_user, people.leader]).exists()


def test_later_hours_are_queued_for_the_task_worker(people):
    settings_for(people.owner_user, digest_hour=17)
    settings_for(people.responsible_user, digest_hour=9)
    with time_machine.travel(at(DAY, 1), tick=False):
        run = send_digests()
    assert run.later_hours == [8, 9, 17]  # 8: those who kept the default
    queued = DBTaskResult.objects.filter(task_path__endswith="digest_at_hour")
    assert sorted(q.run_after for q in queued) == [at(DAY, 8), at(DAY, 9), at(DAY, 17)]


def test_the_queued_run_sends_at_the_hour(people, worker):
    settings_for(people.owner_user, digest_hour=17, digest_tasks=False)
    with time_machine.travel(at(DAY, 1), tick=False) as traveller:
        notify([people.owner_user], kind="report_due", key="1", title="月报提醒")
        send_digests()
        worker()
        assert digests_to(people.owner_user) == []
        traveller.move_to(at(DAY, 17, 0))
        worker()
    assert len(digests_to(people.owner_user)) == 1


def test_the_nightly_run_and_the_command_send_digests(people):
    settings_for(people.owner_user, digest_hour=0, digest_tasks=False)
    settings_for(people.responsible_user, digest_hour=0, digest_tasks=False)
    with time_machine.travel(at(DAY, 0, 30), tick=False):
        notify([people.owner_user], kind="report_due", key="1", title="月报提醒")
        notify([people.responsible_user], kind="report_due", key="1", title="月报提醒")
    with time_machine.travel(at(DAY, 1), tick=False):
        runs = run_daily(DAY, steps=("keyprojects.notifications.digest.send_digests",))
    assert runs[0].ok and runs[0].result["sent"] == 2
    with time_machine.travel(at(DAY + dt.timedelta(days=1), 1), tick=False):
        notify([people.owner_user], kind="report_due", key="2", title="又一条")
        out = StringIO()
        call_command("digest", stdout=out)
    assert "digests sent: 1" in out.getvalue()
