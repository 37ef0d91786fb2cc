"""A problem from end to end in the browser: the owner unit raises it, the programme office
assigns it, the responsible unit answers on a phone, the office accepts the unit's part, and
the raiser confirms, rates and closes it (销号)."""

from keyprojects.problems.models import Problem
from keyprojects.supervision.sources import tasks_of

from .conftest import sign_in


def test_raising_assigning_answering_and_closing_a_problem(
    world, browser, live_server, page, phone
):
    office = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    desk = office.new_page()
    desk.set_default_timeout(10_000)

    # The owner unit raises the problem from its project.
    sign_in(page, "owner_user")
    page.goto(f"/problems/add/?project={world.project.pk}")
    page.select_option("#id_category", "utilities")
    page.select_option("#id_severity", "urgent")
    page.fill("#id_title", "10kV电力管线迁改滞后")
    page.fill("#id_need", "请协调供电公司尽快实施迁改")
    page.click("[data-testid=raise-submit]")
    page.wait_for_url("**/problems/*/")
    problem = Problem.objects.get()
    assert problem.status == "raised" and problem.raised_by_unit == world.owner
    assert "10kV电力管线迁改滞后" in page.inner_text("[data-testid=problem-title]")

    # The programme office assigns it to the responsible unit.
    sign_in(desk, "office")
    desk.goto("/problems/")
    desk.click(f"[data-testid=problems] a[href='/problems/{problem.pk}/']")
    desk.check(f"[data-testid=assign-units] input[value='{world.responsible.pk}']")
    desk.click("[data-testid=assign-submit]")
    desk.wait_for_selector("[data-testid=assignments] >> text=区住房城市建委")
    problem.refresh_from_db()
    assert problem.status == "assigned" and problem.deadline is not None

    # The responsible unit answers on a phone and reports its part done.
    sign_in(phone, "responsible_user")
    phone.goto(f"/problems/{problem.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.fill("[data-testid=respond-form] textarea[name=text]", "已与供电公司完成迁改")
    phone.check("[data-testid=respond-form] input[name=done]")
    phone.click("[data-testid=respond-submit]")
    phone.wait_for_selector("[data-testid=response-text] >> text=已与供电公司完成迁改")
    assert tasks_of(problem).get().status == "submitted"

    # The office accepts the unit's part: every part is done, so the problem is resolved.
    desk.reload()
    desk.click("[data-testid=accept-part]")
    desk.wait_for_selector("[data-testid=problem-status]")
    problem.refresh_from_db()
    assert problem.status == "resolved"

    # The raiser confirms, rates and closes it (销号).
    page.reload()
    page.check("[data-testid=confirm-form] input[name=rating][value='4']")
    page.fill("#confirm-comment", "迁改及时")
    page.click("[data-testid=confirm-submit]")
    page.wait_for_selector("[data-testid=problem-rating]")
    problem.refresh_from_db()
    assert problem.status == "closed" and problem.rating == 4
    assert "4/5" in page.inner_text("[data-testid=problem-rating]")
    assert page.locator("[data-testid=confirm-form]").count() == 0
    office.close()
