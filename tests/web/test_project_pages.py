from decimal import Decimal

from keyprojects.projects.choices import Stage
from keyprojects.projects.models import Project


def form_data(project, **changes):
    data = {
        "code": project.code or "",
        "name": project.name,
        "level": project.level,
        "industry": project.industry,
        "owner_unit": project.owner_unit_id,
        "responsible_unit": project.responsible_unit_id,
        "total_investment": str(project.total_investment / 10000),
        "planned_start": project.planned_start.isoformat() if project.planned_start else "",
        "planned_completion": (
            project.planned_completion.isoformat() if project.planned_completion else ""
        ),
        "actual_start": project.actual_start.isoformat() if project.actual_start else "",
        "version": project.version,
    }
    data.update(changes)
    return data


def test_the_ledger_totals_honour_the_filter(world, client_for):
    client = client_for(world.office)
    everything = client.get("/projects/").context["totals"]["total_investment"]
    one = client.get("/projects/", {"q": "老鼓楼"}).context["totals"]["total_investment"]
    assert everything == Decimal("200000000.00") and one == Decimal("100000000.00")


def test_the_ledger_answers_htmx_with_the_table_alone(world, client_for):
    response = client_for(world.office).get("/projects/", {"sort": "name"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b'data-testid="ledger"' in response.content


def test_the_ledger_query_count_does_not_grow_with_the_page_size(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.office)
    from ..factories import ProjectFactory

    ProjectFactory.create_batch(30, jurisdiction=world.district, owner_unit=world.owner,
                                responsible_unit=world.responsible)  # fmt: skip
    with django_assert_max_num_queries(12) as small:
        client.get("/projects/", {"per_page": 25})
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/projects/", {"per_page": 100})


def test_an_owner_unit_user_edits_its_project_in_万元(world, client_for):
    project = world.project
    response = client_for(world.owner_user).post(
        f"/projects/{project.pk}/edit/", form_data(project, total_investment="12345.67")
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.total_investment == Decimal("123456700.00") and project.version == 2


def test_errors_are_reported_in_place_and_nothing_is_saved(world, client_for):
    project = world.project
    response = client_for(world.office).post(
        f"/projects/{project.pk}/edit/",
        form_data(project, code="123", planned_completion="2020-01-01", total_investment="-5"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"code", "total_investment"} <= set(errors)
    project.refresh_from_db()
    assert project.version == 1


def test_dates_in_the_wrong_order_are_reported_on_the_field(world, client_for):
    project = world.project
    response = client_for(world.office).post(
        f"/projects/{project.pk}/edit/", form_data(project, planned_completion="2020-01-01")
    )
    assert "planned_completion" in response.context["form"].errors


def test_a_stale_edit_shows_what_changed_and_keeps_the_typed_values(world, client_for):
    project = world.project
    stale = form_data(project, name="我的名称")
    client_for(world.responsible_user).post(
        f"/projects/{project.pk}/edit/", form_data(project, site="他们的地址")
    )
    response = client_for(world.owner_user).post(f"/projects/{project.pk}/edit/", stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "他们的地址" in page and 'value="我的名称"' in page
    project.refresh_from_db()
    assert project.name == "老鼓楼衙署遗址公园" and project.site == "他们的地址"
    # Saving again, knowingly, overwrites with this person's values.
    again = dict(stale, version=response.context["form"].data["version"])
    assert (
        client_for(world.owner_user).post(f"/projects/{project.pk}/edit/", again).status_code == 302
    )
    project.refresh_from_db()
    assert project.name == "我的名称"


def test_the_programme_office_adds_a_reserve_project_without_a_code(world, client_for):
    data = form_data(world.project, code="", name="新储备项目", stage=Stage.RESERVE)
    data.pop("version")
    response = client_for(world.office).post("/projects/add/", data)
    assert response.status_code == 302
    assert Project.objects.get(name="新储备项目").code is None


def test_a_stage_change_needs_an_allowed_step_and_a_reason(world, client_for):
    client = client_for(world.owner_user)
    url = f"/projects/{world.project.pk}/stage/"
    assert client.post(url, {"to": Stage.OPERATING, "reason": "x"}).status_code == 200
    assert client.post(url, {"to": Stage.COMPLETED, "reason": ""}).status_code == 200
    world.project.refresh_from_db()
    assert world.project.stage == Stage.CONSTRUCTION
    assert client.post(url, {"to": Stage.COMPLETED, "reason": "验收"}).status_code == 302
    world.project.refresh_from_db()
    assert world.project.stage == Stage.COMPLETED


def test_the_detail_page_shows_the_history(world, client_for):
    client = client_for(world.office)
    client.post(
        f"/projects/{world.project.pk}/stage/", {"to": Stage.COMPLETED, "reason": "竣工验收"}
    )
    page = client.get(f"/projects/{world.project.pk}/").content.decode()
    assert "竣工验收" in page


def test_the_annual_plan_is_entered_in_万元(world, client_for):
    response = client_for(world.office).post(
        f"/projects/{world.project.pk}/plans/2026/",
        {"investment_target": "3000", "milestone": "completion", "milestone_quarter": "4"},
    )
    assert response.status_code == 302
    assert world.project.annual_plans.get(year=2026).investment_target == Decimal("30000000.00")


def test_pages_are_chinese_unless_english_is_chosen(world, client_for):
    client = client_for(world.office)
    page = client.get("/projects/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="zh-hans"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/projects/"})
    assert 'lang="en"' in client.get("/projects/").content.decode()


def test_a_monthly_plan_curve_is_entered_and_checked(world, client_for):
    url = f"/projects/{world.project.pk}/plans/2026/"
    client = client_for(world.office)
    bad = client.post(url, {"investment_target": "1200", "monthly_curve": "10,20,30"})
    assert bad.status_code == 200 and "monthly_curve" in bad.context["form"].errors
    curve = "0,0,5,10,20,30,40,50,60,75,90,100"
    assert (
        client.post(url, {"investment_target": "1200", "monthly_curve": curve}).status_code == 302
    )
    plan = world.project.annual_plans.get(year=2026)
    assert plan.monthly_curve == [0, 0, 5, 10, 20, 30, 40, 50, 60, 75, 90, 100]
    assert "0,0,5,10" in client.get(url).content.decode()


def test_remembered_totals_follow_every_change(world, client_for):
    client = client_for(world.office)
    before = client.get("/projects/", {"q": "老鼓楼"}).context["totals"]["total_investment"]
    assert (
        client.get("/projects/", {"q": "老鼓楼", "sort": "name"}).context["totals"][
            "total_investment"
        ]
        == before
    )
    client.post(
        f"/projects/{world.project.pk}/edit/", form_data(world.project, total_investment="1")
    )
    after = client.get("/projects/", {"q": "老鼓楼"}).context["totals"]["total_investment"]
    assert before == Decimal("100000000.00") and after == Decimal("10000.00")


def test_ledger_rows_escape_what_people_typed(world, client_for):
    world.project.name = '<script>alert("x")</script>'
    world.project.leader_in_charge = "<b>区长</b>"
    world.project.save()
    page = client_for(world.office).get("/projects/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "&lt;b&gt;区长&lt;/b&gt;" in page
