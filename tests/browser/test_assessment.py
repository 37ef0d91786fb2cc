"""The programme office closes October and the figures freeze; a unit user reads its own
arithmetic and another unit's on a phone."""

from decimal import Decimal

from keyprojects.assessment.models import Period, Score
from tests.assessment.conftest import indicator_set, october  # noqa: F401 (fixtures)

from .conftest import sign_in


def test_closing_a_period_and_reading_the_arithmetic(world, october, page, phone):  # noqa: F811
    sign_in(page, "office")
    page.goto("/assessment/")
    page.locator("[data-testid=periods] a").first.click()
    page.wait_for_selector("[data-testid=provisional-note]")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=close-period]")
    page.wait_for_selector("[data-testid=final-note]")
    assert page.locator("[data-testid=intact]").count() == 1
    period = Period.objects.get(pk=october.pk)
    assert period.is_closed and Score.objects.filter(period=period).count() == 5
    assert "区城管局" in page.inner_text("[data-testid=red-list]")

    sign_in(phone, "owner_user")
    phone.goto(f"/assessment/periods/{october.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator("[data-testid=ranking] a", has_text="区城投公司").click()
    phone.wait_for_selector("[data-testid=line-investment_completion]")
    assert phone.inner_text("[data-testid=points-investment_completion]") == "24.00"
    assert "0.6000" in phone.inner_text("[data-testid=steps-investment_completion]")
    assert "老鼓楼衙署遗址公园" in phone.inner_text("[data-testid=subject-projects]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    total = Score.objects.get(period=period, subject_kind="unit", name="区城投公司").total
    assert Decimal(phone.inner_text("[data-testid=total]")) == total
    phone.goto(f"/assessment/periods/{october.pk}/units/{world.bystander_unit.pk}/")
    assert phone.inner_text("[data-testid=points-investment_completion]") == "48.00"
