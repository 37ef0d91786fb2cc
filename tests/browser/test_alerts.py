"""An owner unit sees its alert on a phone and acknowledges it; the programme office tunes a
rule, told in place what it cannot be."""

from __future__ import annotations

from django.utils import timezone

from keyprojects.alerts.choices import AlertKind, AlertStatus
from keyprojects.alerts.models import Alert, AlertRule
from keyprojects.alerts.rules import assessed_month
from tests.alerts.conftest import light

from .conftest import sign_in


def test_an_alert_acknowledged_on_a_phone_and_a_rule_refused_then_saved(world, phone, page):
    year, month = assessed_month(timezone.localdate())
    # Kept light history: saved outside a transaction, the change is evaluated at once.
    light(world.project, year, month, "-35")
    alert = Alert.objects.get(kind=AlertKind.PACE_LAG)
    assert alert.severity == "red" and alert.task is not None

    sign_in(phone, "owner_user")
    phone.goto("/alerts/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator("[data-testid=alerts] tbody tr a").first.click()
    phone.wait_for_url(f"**/alerts/{alert.pk}/")
    assert "35" in phone.inner_text("[data-testid=alert-message]")
    phone.fill("#ack-note", "已召开专题会，增加作业班组")
    phone.locator("[data-testid=acknowledge-form] button").click()
    phone.wait_for_url(f"**/alerts/{alert.pk}/")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert "已召开专题会" in phone.inner_text("[data-testid=alert-history]")

    sign_in(page, "office")
    page.goto("/alerts/rules/")
    card = page.locator("[data-testid=rule-pace_lag]")
    rule = AlertRule.objects.get(jurisdiction=world.district, kind=AlertKind.PACE_LAG)
    card.locator(f"#id_r{rule.pk}-p_red_points").fill("5")
    card.locator("button").click()
    page.wait_for_load_state()
    error = page.locator(f"[data-testid=error-r{rule.pk}-p_red_points]")
    assert error.is_visible()
    rule.refresh_from_db()
    assert rule.params["red_points"] == 30
    card = page.locator("[data-testid=rule-pace_lag]")
    card.locator(f"#id_r{rule.pk}-p_red_points").fill("40")
    card.locator("button").click()
    page.wait_for_url("**/alerts/rules/**")
    rule.refresh_from_db()
    assert rule.params["red_points"] == 40
    alert.refresh_from_db()
    assert alert.severity == "yellow"  # 35 points behind is no longer past red
