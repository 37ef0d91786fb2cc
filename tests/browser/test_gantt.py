"""Open a project's Gantt, see the critical path, change an activity, see the reschedule."""

from keyprojects.scheduling.services import schedule_import

from ..scheduling.conftest import small_schedule
from .conftest import sign_in


def test_the_gantt_flow(world, page):
    from keyprojects.scheduling import engine as e

    data = e.write_xer_text(small_schedule()).encode()
    schedule = schedule_import(project=world.project, data=data, filename="plan.xer")
    schedule.deadline = schedule.finish
    schedule.save()
    from keyprojects.scheduling.services import schedule_recompute

    schedule_recompute(schedule=schedule)

    sign_in(page, "owner_user")
    page.goto(f"/projects/{world.project.pk}/")
    page.click("[data-testid=schedule]")
    page.locator("[data-testid=gantt] svg").wait_for()
    critical = page.locator("[data-testid=gantt] rect.bar.crit")
    assert critical.count() == 3  # A100 → A200 → A300; A400 has float
    assert page.locator("rect.bar.crit[data-code=A400]").count() == 0
    assert page.locator("[data-testid=deadline-line]").count() == 1
    assert page.inner_text("[data-testid=finish]").startswith("2026-03-25")

    page.locator("tr[data-code=A200] a").click()
    page.fill("#id_duration_days", "12")
    page.click("[data-testid=save]")
    page.locator("[data-testid=gantt] svg").wait_for()
    assert page.inner_text("[data-testid=finish]").startswith("2026-03-27")
    assert page.locator("[data-testid=negative-float]").is_visible()

    page.select_option("select[name=zoom]", "week")
    page.click("form[method=get] button")
    page.wait_for_url("**zoom=week**")
    assert page.locator("[data-testid=gantt] rect.bar").count() == 4
