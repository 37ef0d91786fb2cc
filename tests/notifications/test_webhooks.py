"""Webhooks: delivered to a real local receiver, signed, retried with backoff, logged; once per
webhook per notice; scope, kinds and mutes; the chat robots' formats."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import socket
import time
import urllib.parse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from keyprojects.notifications import webhooks
from keyprojects.notifications.choices import EventStatus, WebhookFormat
from keyprojects.notifications.models import Webhook, WebhookDelivery, WebhookEvent
from keyprojects.notifications.services import notify, preferences_update
from keyprojects.notifications.webhooks import retry_delay, sign, verify_signature

from .conftest import SECRET

START = dt.datetime(2026, 6, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def hook(world, receiver):
    return Webhook.objects.create(
        jurisdiction=world.district, name="区发改委项目调度群", url=receiver.url,
        signing_secret=SECRET,
    )  # fmt: skip


def assign(world, users, key="7:1", kind="task_assigned"):
    return notify(
        users, kind=kind, key=key, title="新任务：完成管线迁改方案",
        body="请于6月10日前完成管线迁改方案", url="/tasks/7/",
    )  # fmt: skip


def mute(user, *kinds):
    preferences_update(
        user=user, muted_kinds=kinds, email_enabled=True, digest_enabled=True, digest_hour=8,
        digest_tasks=True,
    )  # fmt: skip


def test_a_failed_delivery_is_retried_with_backoff_and_every_attempt_logged(
    world, hook, receiver, worker
):
    receiver.answers = [500]
    with time_machine.travel(START, tick=False) as traveller:
        assign(world, [world.owner_user, world.responsible_user])
        event = WebhookEvent.objects.get()
        assert receiver.received == []  # the caller never waits for the receiver
        assert DBTaskResult.objects.filter(status="READY").count() == 1

        worker()
        assert [r.answered for r in receiver.received] == [500]
        first = WebhookDelivery.objects.get()
        assert (first.attempt, first.ok, first.status_code) == (1, False, 500)
        assert "500" in first.error
        assert first.next_try_at == START + dt.timedelta(seconds=60)
        event.refresh_from_db()
        assert (event.status, event.attempts) == (EventStatus.PENDING, 1)

        traveller.shift(dt.timedelta(seconds=30))
        worker()
        assert len(receiver.received) == 1  # not yet time

        traveller.shift(dt.timedelta(seconds=31))
        worker()

    assert [r.answered for r in receiver.received] == [500, 200]
    assert all(r.verified for r in receiver.received)
    assert [r.attempt for r in receiver.received] == [1, 2]
    assert {r.event for r in receiver.received} == {str(event.uid)}
    assert receiver.received[0].body == receiver.received[1].body
    assert [(d.attempt, d.ok, d.status_code) for d in WebhookDelivery.objects.all()] == [
        (1, False, 500), (2, True, 200),
    ]  # fmt: skip
    event.refresh_from_db()
    assert event.status == EventStatus.DELIVERED and event.next_try_at is None
    assert event.delivered_at == START + dt.timedelta(seconds=61)
    sent = receiver.received[1].json
    assert sent["kind"] == "task_assigned" and sent["title"] == "新任务：完成管线迁改方案"
    assert sent["url"] == "http://127.0.0.1:8000/tasks/7/"
    assert sent["jurisdiction"] == {"code": "500103", "name": "渝中区"}
    assert {r["unit"] for r in sent["recipients"]} == {"区城投公司", "区住房城市建委"}
    assert sent["id"] == str(event.uid) and sent["test"] is False


def test_the_signature_check_refuses_anything_altered_or_stale():
    body = json.dumps({"kind": "task_assigned"}).encode()
    now = time.time()
    stamp = str(int(now))
    good = sign(SECRET, stamp, body)
    expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert good == f"sha256={expected}"
    assert verify_signature(SECRET, stamp, body, good, now=now)
    assert not verify_signature(SECRET, stamp, body + b" ", good, now=now)
    assert not verify_signature("another-secret", stamp, body, good, now=now)
    assert not verify_signature(SECRET, str(int(now) + 1), body, good, now=now)
    assert not verify_signature(SECRET, stamp, body, good, now=now + 301)
    assert not verify_signature(SECRET, stamp, body, good.replace("sha256=", "sha1="), now=now)
    assert not verify_signature(SECRET, "", body, good, now=now)
    assert not verify_signature(SECRET, "12abc", body, good, now=now)
    assert not verify_signature(SECRET, stamp, body, None, now=now)


def test_a_receiver_with_another_secret_refuses_and_the_log_says_so(world, hook, receiver):
    receiver.secret = "not-the-webhook-secret"
    assign(world, [world.owner_user])
    delivery = webhooks.attempt(WebhookEvent.objects.get().pk)
    assert delivery is not None
    assert (delivery.ok, delivery.status_code) == (False, 401)
    assert receiver.received[0].verified is False


def test_no_answer_is_a_failure_tried_again_later(world, hook):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hook.url = f"http://127.0.0.1:{port}/closed"
    hook.save()
    with time_machine.travel(START, tick=False):
        assign(world, [world.owner_user])
        delivery = webhooks.attempt(WebhookEvent.objects.get().pk)
    assert delivery is not None and not delivery.ok
    assert delivery.status_code is None and "No answer" in delivery.error
    assert delivery.next_try_at == START + dt.timedelta(seconds=60)
    retry = DBTaskResult.objects.filter(status="READY").order_by("-enqueued_at").first()
    assert retry is not None and retry.run_after == START + dt.timedelta(seconds=60)


def test_the_wait_doubles_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(30) == dt.timedelta(hours=6)


def test_it_gives_up_after_the_last_attempt(world, hook, receiver, settings):
    settings.KEYPROJECTS_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answers = [503, 503, 503]
    with time_machine.travel(START, tick=False) as traveller:
        assign(world, [world.owner_user])
        event = WebhookEvent.objects.get()
        webhooks.attempt(event.pk)
        assert webhooks.attempt(event.pk) is None  # a duplicate task before its time
        traveller.shift(dt.timedelta(minutes=1))
        last = webhooks.attempt(event.pk)
        traveller.shift(dt.timedelta(hours=1))
        assert webhooks.attempt(event.pk) is None
    event.refresh_from_db()
    assert event.status == EventStatus.FAILED and event.attempts == 2
    assert last is not None and last.next_try_at is None
    assert len(receiver.received) == 2

    webhooks.send_again(event)  # the office fixed the receiver
    receiver.answers = []
    webhooks.attempt(event.pk)
    event.refresh_from_db()
    assert event.status == EventStatus.DELIVERED and event.attempts == 3


def test_a_redirect_is_a_failure(world, hook, receiver):
    receiver.answers = [302]
    assign(world, [world.owner_user])
    delivery = webhooks.attempt(WebhookEvent.objects.get().pk)
    assert delivery is not None and (delivery.ok, delivery.status_code) == (False, 302)


def test_each_notice_goes_once_to_each_webhook_however_many_it_is_for(world, hook):
    assign(world, [world.owner_user, world.responsible_user, world.bystander_user])
    assign(world, [world.owner_user, world.responsible_user])
    notify([world.office], kind="task_assigned", key="7:1", title="新任务")
    assert WebhookEvent.objects.count() == 1
    assign(world, [world.owner_user], key="7:2")
    assert WebhookEvent.objects.count() == 2


def test_scope_kinds_and_switch(world, hook):
    other = Webhook.objects.create(
        jurisdiction=world.other_district, name="江北区群", url="http://127.0.0.1:9/x"
    )
    unit_hook = Webhook.objects.create(
        jurisdiction=world.district, unit=world.owner, name="城投公司群", url="http://127.0.0.1:9/y"
    )
    overdue_only = Webhook.objects.create(
        jurisdiction=world.city, name="市级群", url="http://127.0.0.1:9/z", kinds=["task_overdue"]
    )
    Webhook.objects.create(
        jurisdiction=world.district, name="停用", url="http://127.0.0.1:9/w", active=False
    )
    assign(world, [world.responsible_user], key="a")
    assert set(WebhookEvent.objects.values_list("webhook__name", flat=True)) == {hook.name}
    assign(world, [world.owner_user], key="b")
    assert set(WebhookEvent.objects.filter(key="b").values_list("webhook_id", flat=True)) == {
        hook.pk,
        unit_hook.pk,
    }
    assign(world, [world.responsible_user], key="c", kind="task_overdue")
    assert set(WebhookEvent.objects.filter(key="c").values_list("webhook_id", flat=True)) == {
        hook.pk,
        overdue_only.pk,
    }  # the city's webhook covers the district below it
    assert not WebhookEvent.objects.filter(webhook=other).exists()


def test_a_muted_kind_is_posted_only_for_those_who_still_want_it(world, hook):
    unit_hook = Webhook.objects.create(
        jurisdiction=world.district, unit=world.owner, name="城投公司群", url="http://127.0.0.1:9/y"
    )
    mute(world.owner_user, "task_assigned")
    assign(world, [world.owner_user, world.responsible_user])
    assert not WebhookEvent.objects.filter(webhook=unit_hook).exists()
    event = WebhookEvent.objects.get(webhook=hook)
    assert [r["username"] for r in event.payload["recipients"]] == ["responsible_user"]
    mute(world.responsible_user, "task_assigned")
    assign(world, [world.owner_user, world.responsible_user], key="7:2")
    assert WebhookEvent.objects.count() == 1


def test_a_webhook_switched_off_before_sending_sends_nothing(world, hook, receiver):
    assign(world, [world.owner_user])
    Webhook.objects.filter(pk=hook.pk).update(active=False)
    assert webhooks.attempt(WebhookEvent.objects.get().pk) is None
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.FAILED and "switched off" in event.last_error
    assert receiver.received == []


def test_a_test_notice_is_sent_even_to_a_webhook_not_yet_switched_on(world, hook, receiver, worker):
    hook.active = False
    hook.save()
    webhooks.send_test(hook, user=world.office)
    worker()
    assert len(receiver.received) == 1 and receiver.received[0].verified
    assert receiver.received[0].json["test"] is True
    assert receiver.received[0].json["kind"] == "webhook_test"


def test_the_command_delivers_what_is_due_without_the_worker(world, hook, receiver):
    assign(world, [world.owner_user])
    call_command("webhooks", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert WebhookEvent.objects.get().status == EventStatus.DELIVERED
    assert len(receiver.received) == 1


class TestChatRobots:
    @pytest.fixture
    def robot(self, hook, receiver):
        receiver.body = b'{"errcode":0,"errmsg":"ok"}'
        return hook

    def deliver(self, world, robot, fmt):
        robot.format = fmt
        robot.save()
        assign(world, [world.owner_user])
        return webhooks.attempt(WebhookEvent.objects.get().pk)

    def test_wecom_gets_a_text_message(self, world, robot, receiver):
        delivery = self.deliver(world, robot, WebhookFormat.WECOM)
        assert delivery is not None and delivery.ok
        sent = receiver.received[0].json
        assert sent["msgtype"] == "text"
        content = sent["text"]["content"]
        assert content.startswith("【")
        assert "新任务：完成管线迁改方案" in content and "http://127.0.0.1:8000/tasks/7/" in content
        assert "区城投公司" in content
        assert receiver.received[0].verified  # our own signature is there too

    def test_dingtalk_gets_its_own_signature_in_the_address(self, world, robot, receiver):
        with time_machine.travel(START, tick=False):
            self.deliver(world, robot, WebhookFormat.DINGTALK)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(receiver.received[0].path).query)
        millis = query["timestamp"][0]
        assert millis == str(int(START.timestamp() * 1000))
        expected = base64.b64encode(
            hmac.new(SECRET.encode(), f"{millis}\n{SECRET}".encode(), hashlib.sha256).digest()
        ).decode()
        assert query["sign"] == [expected]
        assert receiver.received[0].json["msgtype"] == "text"

    def test_feishu_gets_its_own_signature_in_the_body(self, world, robot, receiver):
        with time_machine.travel(START, tick=False):
            self.deliver(world, robot, WebhookFormat.FEISHU)
        sent = receiver.received[0].json
        stamp = str(int(START.timestamp()))
        key = f"{stamp}\n{SECRET}".encode()
        assert sent["timestamp"] == stamp
        assert (
            sent["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        )
        assert sent["msg_type"] == "text" and "新任务" in sent["content"]["text"]

    def test_a_robot_that_answers_with_an_error_code_failed(self, world, robot, receiver):
        receiver.body = b'{"errcode":310000,"errmsg":"sign not match"}'
        delivery = self.deliver(world, robot, WebhookFormat.DINGTALK)
        assert delivery is not None and not delivery.ok and delivery.status_code == 200
        assert "310000" in delivery.error and "sign not match" in delivery.error
        assert WebhookEvent.objects.get().status == EventStatus.PENDING
