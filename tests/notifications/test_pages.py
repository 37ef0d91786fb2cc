"""The inbox, the settings page and the office's webhook pages, as every persona."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keyprojects.audit.models import AuditEntry
from keyprojects.notifications.choices import EventStatus
from keyprojects.notifications.models import (
    Notification,
    NotificationPreference,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from keyprojects.notifications.services import notify
from tests.web.test_permission_matrix import (
    EVERYONE,
    FORBIDDEN,
    NOT_FOUND,
    OFFICES,
    OK,
    PERSONAS,
    REDIRECT,
    expect,
)

OWN_OFFICE_ONLY = expect(
    office=OK, leader=FORBIDDEN, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=FORBIDDEN, auditor=FORBIDDEN, outsider=NOT_FOUND,
)  # fmt: skip
OWN_OFFICE_ACTS = {**OWN_OFFICE_ONLY, "office": REDIRECT}

PAGES = [
    ("/messages/", EVERYONE),
    ("/messages/?show=unread", EVERYONE),
    ("/messages/settings/", EVERYONE),
    ("/messages/webhooks/", OFFICES),
    ("/messages/webhooks/add/", OFFICES),
    ("/messages/webhooks/{hook}/", OWN_OFFICE_ONLY),
    ("/messages/webhooks/{hook}/?reveal=1", OWN_OFFICE_ONLY),
    ("/messages/webhooks/{hook}/edit/", OWN_OFFICE_ONLY),
]
ACTIONS = [
    "/messages/webhooks/{hook}/test/",
    "/messages/webhooks/{hook}/secret/",
    "/messages/webhooks/notices/{event}/retry/",
    "/messages/webhooks/{hook}/delete/",
]


@pytest.fixture
def hook(world):
    return Webhook.objects.create(
        jurisdiction=world.district, name="区发改委项目调度群", url="http://127.0.0.1:9/hook"
    )


@pytest.fixture
def event(world, hook):
    notify([world.owner_user], kind="task_assigned", key="1", title="新任务")
    return WebhookEvent.objects.get()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page_answers_each_persona_as_its_role_allows(
    world, client_for, hook, persona, url, expected
):
    response = client_for(world.personas()[persona]).get(url.format(hook=hook.pk))
    assert response.status_code == expected[persona], (persona, url)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", ACTIONS)
def test_only_the_office_of_the_webhook_acts_on_it(world, client_for, hook, event, persona, url):
    response = client_for(world.personas()[persona]).post(url.format(hook=hook.pk, event=event.pk))
    assert response.status_code == OWN_OFFICE_ACTS[persona], (persona, url)


def test_the_webhook_pages_refuse_get_for_actions(world, client_for, hook):
    response = client_for(world.office).get(f"/messages/webhooks/{hook.pk}/delete/")
    assert response.status_code == 405
    assert Webhook.objects.filter(pk=hook.pk).exists()


def test_the_inbox_links_settings_for_all_and_webhooks_for_the_office(world, client_for):
    office = client_for(world.office).get("/messages/").content.decode()
    assert 'data-testid="settings-link"' in office and 'data-testid="webhooks-link"' in office
    unit = client_for(world.owner_user).get("/messages/").content.decode()
    assert 'data-testid="settings-link"' in unit and 'data-testid="webhooks-link"' not in unit


def test_the_inbox_shows_muted_notices_apart_and_only_ones_own(world, client_for):
    NotificationPreference.objects.create(user=world.owner_user, muted_kinds=["report_due"])
    notify([world.owner_user], kind="report_due", key="1", title="月报即将到期")
    notify([world.owner_user], kind="task_assigned", key="1", title="新任务：管线迁改")
    notify([world.responsible_user], kind="task_assigned", key="2", title="别人的通知")
    page = client_for(world.owner_user).get("/messages/")
    html = page.content.decode()
    assert "月报即将到期" in html and "新任务：管线迁改" in html and "别人的通知" not in html
    assert page.context["unread_count"] == 1
    unread = client_for(world.owner_user).get("/messages/?show=unread").content.decode()
    assert "新任务：管线迁改" in unread and "月报即将到期" not in unread


def test_opening_a_notice_marks_it_read_and_follows_its_link(world, client_for):
    notify([world.owner_user], kind="task_assigned", key="1", title="x", url="/tasks/3/")
    notice = Notification.objects.get()
    response = client_for(world.owner_user).post(f"/messages/{notice.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/tasks/3/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    other = client_for(world.responsible_user).post(f"/messages/{notice.pk}/open/")
    assert other.status_code == 404


def test_an_outside_link_in_a_notice_is_not_followed(world, client_for):
    notify([world.owner_user], kind="x_kind", key="1", title="x", url="https://evil.example/")
    notice = Notification.objects.get()
    response = client_for(world.owner_user).post(f"/messages/{notice.pk}/open/")
    assert response["Location"] == "/messages/"


def test_the_inbox_costs_the_same_queries_for_many_notices(world, client_for):
    client = client_for(world.owner_user)
    notify([world.owner_user], kind="task_assigned", key="0", title="x")
    with CaptureQueriesContext(connection) as few:
        client.get("/messages/")
    for i in range(1, 30):
        notify([world.owner_user], kind="task_assigned", key=str(i), title=f"x{i}")
    with CaptureQueriesContext(connection) as many:
        client.get("/messages/")
    assert len(many) == len(few)


class TestSettingsPage:
    def test_it_lists_kinds_by_group_with_those_seen_in_the_inbox(self, world, client_for):
        notify([world.owner_user], kind="meeting_scheduled", key="1", title="调度会通知")
        page = client_for(world.owner_user).get("/messages/settings/")
        html = page.content.decode()
        assert 'value="task_overdue"' in html and 'value="hazard_found"' in html
        assert 'value="meeting_scheduled"' in html  # not registered, but in the inbox
        assert 'value="webhook_test"' not in html
        assert 'data-testid="mute-explained"' in html
        assert 'data-testid="no-email"' in html

    def test_saving_mutes_and_digest(self, world, client_for):
        client = client_for(world.owner_user)
        response = client.post(
            "/messages/settings/",
            {
                "digest_enabled": "on",
                "digest_hour": "17",
                "muted_kinds": ["task_due", "report_due"],
            },
        )
        assert response.status_code == 302
        pref = NotificationPreference.objects.get(user=world.owner_user)
        assert (pref.email_enabled, pref.digest_enabled, pref.digest_hour, pref.digest_tasks) == (
            False, True, 17, False,
        )  # fmt: skip
        assert pref.muted_kinds == ["report_due", "task_due"]
        page = client.get("/messages/settings/").content.decode()
        assert 'value="task_due" id="mute-task_due" checked' in page

    @pytest.mark.parametrize(
        "data",
        [
            {"digest_hour": "24"},
            {"digest_hour": "eight"},
            {"digest_hour": "8", "muted_kinds": ["no_such_kind"]},
        ],
    )
    def test_bad_input_is_refused_and_changes_nothing(self, world, client_for, data):
        response = client_for(world.owner_user).post("/messages/settings/", data)
        assert response.status_code == 422
        assert not NotificationPreference.objects.exists()


class TestWebhookPages:
    def form(self, world, **changes):
        data = {
            "name": "城投公司调度群", "jurisdiction": world.district.pk, "unit": world.owner.pk,
            "format": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
            "active": "on", "kinds": ["task_overdue", "task_escalated"], "secret": "",
        }  # fmt: skip
        data.update(changes)
        return data

    def test_the_office_adds_one_with_a_secret_made_for_it(self, world, client_for):
        response = client_for(world.office).post("/messages/webhooks/add/", self.form(world))
        assert response.status_code == 302
        hook = Webhook.objects.get()
        assert hook.created_by == world.office and hook.unit == world.owner
        assert hook.kinds == ["task_escalated", "task_overdue"]
        assert len(hook.signing_secret) >= 40
        entry = AuditEntry.objects.get(model="notifications.webhook")
        assert entry.actor == world.office
        assert "signing_secret" not in entry.after and "secret_set_at" in entry.after
        assert hook.signing_secret not in str(entry.after)

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"url": "ftp://example.com/hook"}, "url"),
            ({"url": "not an address"}, "url"),
            ({"name": ""}, "name"),
            ({"format": "telegram"}, "format"),
            ({"kinds": ["Robert'); DROP"]}, "kinds"),
        ],
    )
    def test_bad_input_is_refused_with_a_reason(self, world, client_for, changes, field):
        response = client_for(world.office).post(
            "/messages/webhooks/add/", self.form(world, **changes)
        )
        assert response.status_code == 422
        assert field in response.context["form"].errors
        assert not Webhook.objects.exists()

    def test_an_office_cannot_aim_at_another_districts_unit(self, world, client_for):
        response = client_for(world.outsider).post(
            "/messages/webhooks/add/",
            self.form(world, jurisdiction=world.other_district.pk),
        )
        assert response.status_code == 422 and "unit" in response.context["form"].errors
        response = client_for(world.outsider).post(
            "/messages/webhooks/add/", self.form(world, unit="")
        )
        assert response.status_code == 422 and "jurisdiction" in response.context["form"].errors

    def test_editing_keeps_the_secret_unless_one_is_given(self, world, client_for, hook):
        client = client_for(world.office)
        secret = hook.signing_secret
        client.post(f"/messages/webhooks/{hook.pk}/edit/", self.form(world, name="改名"))
        hook.refresh_from_db()
        assert hook.name == "改名" and hook.signing_secret == secret
        client.post(f"/messages/webhooks/{hook.pk}/edit/", self.form(world, secret="SECabc123"))
        hook.refresh_from_db()
        assert hook.signing_secret == "SECabc123"

    def test_the_secret_is_shown_only_when_asked(self, world, client_for, hook):
        client = client_for(world.office)
        assert (
            hook.signing_secret not in client.get(f"/messages/webhooks/{hook.pk}/").content.decode()
        )
        revealed = client.get(f"/messages/webhooks/{hook.pk}/?reveal=1").content.decode()
        assert hook.signing_secret in revealed

    def test_a_new_secret(self, world, client_for, hook):
        old = hook.signing_secret
        response = client_for(world.office).post(f"/messages/webhooks/{hook.pk}/secret/")
        assert response["Location"].endswith("?reveal=1")
        hook.refresh_from_db()
        assert hook.signing_secret != old

    def test_send_test_queues_a_notice_and_the_log_shows_it(self, world, client_for, hook):
        client = client_for(world.office)
        response = client.post(f"/messages/webhooks/{hook.pk}/test/", follow=True)
        event = WebhookEvent.objects.get()
        assert event.kind == "webhook_test" and event.status == EventStatus.PENDING
        assert event.title in response.content.decode()

    def test_send_again_only_what_was_not_delivered(self, world, client_for, hook, event):
        client = client_for(world.office)
        WebhookEvent.objects.filter(pk=event.pk).update(status=EventStatus.FAILED, attempts=8)
        client.post(f"/messages/webhooks/notices/{event.pk}/retry/")
        event.refresh_from_db()
        assert event.status == EventStatus.PENDING
        WebhookEvent.objects.filter(pk=event.pk).update(status=EventStatus.DELIVERED)
        page = client.post(f"/messages/webhooks/notices/{event.pk}/retry/", follow=True)
        assert WebhookEvent.objects.get(pk=event.pk).status == EventStatus.DELIVERED
        assert page.context["messages"]

    def test_the_log_costs_the_same_queries_for_many_notices(self, world, client_for, hook):
        client = client_for(world.office)
        url = f"/messages/webhooks/{hook.pk}/"

        def add(n):
            for i in range(n):
                e = WebhookEvent.objects.create(
                    webhook=hook, kind="task_assigned", key=f"{n}-{i}", title="t", payload={}
                )
                WebhookDelivery.objects.create(event=e, attempt=1, status_code=500, error="x")

        add(1)
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        add(20)
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(many) == len(few)
        with CaptureQueriesContext(connection) as listing:
            client.get("/messages/webhooks/")
        Webhook.objects.create(
            jurisdiction=world.district, name="第二个", url="http://127.0.0.1:9/"
        )
        with CaptureQueriesContext(connection) as longer:
            client.get("/messages/webhooks/")
        assert len(longer) == len(listing)

    def test_deleting(self, world, client_for, hook, event):
        client_for(world.office).post(f"/messages/webhooks/{hook.pk}/delete/")
        assert not Webhook.objects.exists() and not WebhookEvent.objects.exists()
