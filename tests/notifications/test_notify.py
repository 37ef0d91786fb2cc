"""notify(): the inbox, email, once per person, kind and key, and each person's mutes."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from keyprojects.notifications import services
from keyprojects.notifications.context_processors import unread
from keyprojects.notifications.kinds import kind_of, register_kind
from keyprojects.notifications.models import Notification, NotificationPreference
from keyprojects.notifications.services import notify, preferences_update


@pytest.fixture
def people(world):
    for user in (world.owner_user, world.responsible_user, world.office):
        user.email = f"{user.username}@example.gov.cn"
        user.save()
    return world


def mute(user, *kinds, **settings):
    values = {
        "email_enabled": True, "digest_enabled": True, "digest_hour": 8, "digest_tasks": True,
    } | settings  # fmt: skip
    return preferences_update(user=user, muted_kinds=kinds, **values)


class Request:
    def __init__(self, user):
        self.user = user


def test_each_person_gets_it_in_the_inbox_and_by_email_once(people):
    sent = notify(
        [people.owner_user, people.responsible_user, people.owner_user],
        kind="task_assigned", key="7:1", title="新任务：完成管线迁改方案", body="请于6月10日前完成",
        url="/tasks/7/",
    )  # fmt: skip
    assert len(sent) == 2
    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert message.subject == "新任务：完成管线迁改方案"
    assert "http://127.0.0.1:8000/tasks/7/" in message.body
    assert "/messages/settings/" in message.body
    assert all(n.emailed for n in Notification.objects.all())

    again = notify([people.owner_user], kind="task_assigned", key="7:1", title="x")
    assert again == [] and len(mail.outbox) == 2
    assert Notification.objects.count() == 2


def test_a_muted_kind_is_kept_but_not_emailed_nor_counted_unread(people):
    mute(people.owner_user, "task_due")
    notify([people.owner_user], kind="task_due", key="7", title="任务即将到期")
    notify([people.owner_user], kind="task_assigned", key="8", title="新任务")
    notice = Notification.objects.get(kind="task_due")
    assert notice.muted and notice.read_at is not None and not notice.emailed
    assert [m.subject for m in mail.outbox] == ["新任务"]
    assert unread(Request(people.owner_user))["unread_count"] == 1


def test_no_email_when_the_person_switched_email_off_or_has_no_address(people):
    mute(people.owner_user, email_enabled=False)
    notify([people.owner_user, people.bystander_user], kind="task_assigned", key="9", title="x")
    assert Notification.objects.count() == 2
    assert mail.outbox == []


def test_inactive_people_get_nothing(people):
    people.responsible_user.is_active = False
    people.responsible_user.save()
    assert notify([people.responsible_user], kind="task_assigned", key="1", title="x") == []


def test_muting_a_kind_marks_its_unread_notices_muted(people):
    notify([people.owner_user], kind="report_due", key="1", title="月报即将到期")
    notify([people.owner_user], kind="task_due", key="1", title="任务即将到期")
    mute(people.owner_user, "report_due")
    report, task = (
        Notification.objects.get(kind="report_due"),
        Notification.objects.get(kind="task_due"),
    )
    assert report.muted and report.read_at is not None
    assert not task.muted and task.read_at is None


def test_settings_refuse_a_bad_hour_or_kind_and_change_nothing(people):
    with pytest.raises(ValidationError, match="between 0 and 23"):
        mute(people.owner_user, digest_hour=24)
    with pytest.raises(ValidationError, match="Unknown kind"):
        mute(people.owner_user, "DROP TABLE")
    assert not NotificationPreference.objects.exists()


def test_preferences_are_audited(people):
    from keyprojects.audit.models import AuditEntry

    mute(people.owner_user, "task_due")
    entry = AuditEntry.objects.filter(model="notifications.notificationpreference").get()
    assert entry.after["muted_kinds"] == ["task_due"]


def test_a_webhook_that_cannot_be_queued_does_not_stop_the_notice(people, monkeypatch):
    from keyprojects.notifications import webhooks

    def broken(**kwargs):
        raise RuntimeError("queue down")

    monkeypatch.setattr(webhooks, "queue_events", broken)
    assert len(notify([people.owner_user], kind="task_assigned", key="1", title="x")) == 1
    assert Notification.objects.count() == 1


def test_unknown_kinds_work_with_their_code_as_label(monkeypatch):
    from keyprojects.notifications import kinds

    monkeypatch.setattr(kinds, "_REGISTRY", dict(kinds._REGISTRY))
    kind = kind_of("visit_instruction_given")
    assert (kind.code, str(kind.label), kind.group) == (
        "visit_instruction_given",
        "visit_instruction_given",
        "meetings",
    )
    assert kind_of("hazard_something_new").group == "inspections"
    assert kind_of("brand_new").group == "other"
    registered = register_kind("problem_test_only", "A test kind")
    assert kind_of("problem_test_only") == registered and registered.group == "problems"


def test_preferences_for_a_person_who_never_chose_are_the_defaults(people):
    pref = services.preference_of(people.owner_user)
    assert pref.pk is None and pref.email_enabled and pref.digest_enabled
    assert pref.digest_hour == 8 and pref.muted_kinds == []
