"""One mute holds on every channel: unread count, email, chat robots, digest."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail

from keyprojects.notifications.context_processors import unread
from keyprojects.notifications.demo import populate
from keyprojects.notifications.digest import send_digests
from keyprojects.notifications.models import (
    Digest,
    Notification,
    NotificationPreference,
    Webhook,
    WebhookEvent,
)
from keyprojects.notifications.services import notify, preferences_update

NOON = dt.datetime(2026, 6, 10, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


class Request:
    def __init__(self, user):
        self.user = user


def test_a_muted_kind_reaches_no_channel_while_another_kind_reaches_all(world):
    person = world.owner_user
    person.email = "chengtou@example.gov.cn"
    person.save()
    Webhook.objects.create(
        jurisdiction=world.district, unit=world.owner, name="城投群", url="http://127.0.0.1:9/"
    )
    preferences_update(
        user=person, muted_kinds=["task_due"], email_enabled=True, digest_enabled=True,
        digest_hour=8, digest_tasks=False,
    )  # fmt: skip
    with time_machine.travel(NOON - dt.timedelta(hours=4), tick=False):
        notify([person], kind="task_due", key="1", title="静音的提醒")
        notify([person], kind="task_returned", key="1", title="任务被退回")

    assert Notification.objects.filter(user=person).count() == 2  # both kept in the inbox
    assert unread(Request(person))["unread_count"] == 1
    assert [m.subject for m in mail.outbox] == ["任务被退回"]
    assert list(WebhookEvent.objects.values_list("kind", flat=True)) == ["task_returned"]
    mail.outbox.clear()
    with time_machine.travel(NOON, tick=False):
        send_digests()
    (digest,) = mail.outbox
    assert "任务被退回" in digest.body and "静音的提醒" not in digest.body
    assert Digest.objects.get(user=person).notices == 1


def test_the_demo_adds_robots_switched_off_and_some_settings_once(world):
    populate(world.district)
    populate(world.district)
    hooks = Webhook.objects.all()
    assert hooks.count() == 2 and not any(h.active for h in hooks)
    assert hooks.get(unit=world.owner).format == "dingtalk"
    leader = NotificationPreference.objects.get(user=world.leader)
    assert "task_due" in leader.muted_kinds
    assert not NotificationPreference.objects.get(user=world.owner_user).email_enabled
    assert not NotificationPreference.objects.filter(user=world.responsible_user).exists()
