"""A unit user mutes a kind of notice on a phone; the office sets up a chat robot."""

from keyprojects.notifications.models import NotificationPreference, Webhook, WebhookEvent
from keyprojects.notifications.services import notify

from .conftest import sign_in


def test_muting_a_kind_on_a_phone_and_setting_up_a_robot(world, phone, page):
    notify([world.owner_user], kind="task_due", key="1", title="任务即将到期：管线迁改")
    notify([world.owner_user], kind="task_assigned", key="2", title="新任务：扬尘治理")
    sign_in(phone, "owner_user")
    phone.goto("/messages/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    badge = "[data-testid=inbox-link] .badge"
    before = int(phone.inner_text(badge))
    phone.click("[data-testid=settings-link]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.check("#mute-task_due")
    phone.click("[data-testid=save-settings]")
    phone.wait_for_url("**/messages/settings/")
    assert NotificationPreference.objects.get(user=world.owner_user).muted_kinds == ["task_due"]
    phone.goto("/messages/")
    assert int(phone.inner_text(badge)) == before - 1
    assert "任务即将到期：管线迁改" in phone.inner_text("[data-testid=inbox]")

    sign_in(page, "office")
    page.goto("/messages/")
    page.click("[data-testid=webhooks-link]")
    page.click("[data-testid=add-webhook]")
    page.fill("#id_name", "区重点项目调度群")
    page.select_option("#id_format", "wecom")
    page.fill("#id_url", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    page.check("#kind-task_overdue")
    page.click("[data-testid=save-webhook]")
    page.wait_for_url("**/messages/webhooks/*/")
    hook = Webhook.objects.get()
    assert hook.kinds == ["task_overdue"] and hook.jurisdiction == world.district
    page.click("[data-testid=send-test]")
    page.wait_for_url(f"**/messages/webhooks/{hook.pk}/")
    assert WebhookEvent.objects.get().kind == "webhook_test"
    assert WebhookEvent.objects.get().title in page.inner_text("[data-testid=delivery-log]")
