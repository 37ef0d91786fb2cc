"""Creating and changing projects: through the services, with clear errors and nothing
changed when anything is wrong."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keyprojects.audit.models import AuditEntry
from keyprojects.projects.models import Project, StageChange


def _create_body(world, **extra):
    return {
        "name": "解放碑地下停车库及连接通道三期工程",
        "level": "district",
        "industry": "transport",
        "owner_unit": world.owner.pk,
        "responsible_unit": world.responsible.pk,
        "total_investment": "50000000.00",
        **extra,
    }


def _snapshot():
    return list(Project.objects.order_by("pk").values())


def test_the_office_creates_a_project_in_its_jurisdiction(world, api_for):
    response = api_for(world.office).post(
        "/api/projects/", _create_body(world, code="2025-500103-48-01-000321", site="解放碑")
    )

    assert response.status_code == 201, response.content
    body = response.json()
    project = Project.objects.get(pk=body["id"])
    assert project.jurisdiction == world.district
    assert project.total_investment == Decimal("50000000.00")
    assert body["stage"] == "reserve"
    assert body["batch"] == "reserve"
    assert body["code"] == "2025-500103-48-01-000321"
    assert body["responsible_unit"] == {"id": world.responsible.pk, "name": "区住房城市建委"}
    assert StageChange.objects.filter(project=project, to_stage="reserve").exists()


def test_a_city_office_creates_in_a_district_it_names(world, api_for):
    from tests.factories import UserFactory

    city = UserFactory(username="city", role="programme_office", jurisdiction=world.city)

    response = api_for(city).post(
        "/api/projects/", _create_body(world, jurisdiction=world.district.pk)
    )

    assert response.status_code == 201, response.content
    assert response.json()["jurisdiction"]["id"] == world.district.pk


def test_a_jurisdiction_out_of_view_is_refused(world, api_for):
    before = _snapshot()

    response = api_for(world.office).post(
        "/api/projects/", _create_body(world, jurisdiction=world.other_district.pk)
    )

    assert response.status_code == 422
    assert "jurisdiction" in response.json()["errors"]
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner_unit": 999999}, "owner_unit"),
        ({"code": "2024-500103-78-01"}, "code"),
        ({"total_investment": "-1.00"}, "total_investment"),
        ({"total_investment": "abc"}, "total_investment"),
        ({"total_investment": "1.234"}, "total_investment"),
        ({"level": "galactic"}, "level"),
        ({"planned_start": "2025-13-01"}, "planned_start"),
        ({"planned_start": "2026-01-01", "planned_completion": "2025-01-01"}, "planned_completion"),
        ({"stage": "flying"}, "stage"),
        ({"colour": "red"}, "colour"),
        ({"name": "长" * 201}, "name"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_values_are_refused_field_by_field(world, api_for, change, field):
    before = _snapshot()

    response = api_for(world.office).post("/api/projects/", _create_body(world, **change))

    assert response.status_code == 422, response.content
    body = response.json()
    assert field in body["errors"], body
    assert all(isinstance(m, str) and m for m in body["errors"][field])
    assert body["detail"]
    assert _snapshot() == before


def test_missing_fields_are_each_named(world, api_for):
    response = api_for(world.office).post("/api/projects/", {"name": "只有名称"})

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "level",
        "industry",
        "owner_unit",
        "responsible_unit",
        "total_investment",
    }


def test_a_duplicate_code_is_refused_clearly(world, api_for):
    response = api_for(world.office).post(
        "/api/projects/", _create_body(world, code=world.project.code)
    )

    assert response.status_code == 422
    assert response.json()["errors"]["code"] == ["Another project already has this code."]
    assert Project.objects.filter(code=world.project.code).count() == 1


@pytest.mark.parametrize("raw", ["{not json", b"\xff\xfe", '{"name": "x",}'])
def test_malformed_json_is_a_400_not_a_500(world, api_for, raw):
    response = api_for(world.office).post("/api/projects/", raw)

    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON.", "errors": {}}


def test_a_body_that_is_not_an_object_is_refused(world, api_for):
    response = api_for(world.office).post("/api/projects/", "[1, 2]")

    assert response.status_code == 422


def test_errors_speak_the_callers_language(world, api_for):
    chinese = api_for(world.office, language="zh-hans").post("/api/projects/", {"name": "x"})
    english = api_for(world.office, language="en").post("/api/projects/", {"name": "x"})

    assert chinese.json()["errors"]["level"] == ["这个字段是必填项。"]
    assert english.json()["errors"]["level"] == ["This field is required."]


def test_a_model_validation_error_speaks_the_callers_language(world, api_for):
    response = api_for(world.office, language="zh-hans").post(
        "/api/projects/", _create_body(world, total_investment="-5")
    )

    assert response.status_code == 422
    assert response.json()["errors"]["total_investment"] == ["确保该值大于或等于0。"]


def test_a_patch_changes_only_the_given_fields_and_the_version(world, api_for):
    url = f"/api/projects/{world.project.pk}/"

    response = api_for(world.owner_user).patch(
        url, {"version": 1, "site": "渝中区解放碑", "total_investment": 120000000}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert body["site"] == "渝中区解放碑"
    assert body["total_investment"] == "120000000.00"
    assert body["name"] == "老鼓楼衙署遗址公园"


def test_a_patch_needs_the_version(world, api_for):
    response = api_for(world.office).patch(f"/api/projects/{world.project.pk}/", {"site": "x"})

    assert response.status_code == 422
    assert "version" in response.json()["errors"]


def test_a_patch_cannot_change_the_stage_or_the_jurisdiction(world, api_for):
    url = f"/api/projects/{world.project.pk}/"

    response = api_for(world.office).patch(url, {"version": 1, "stage": "completed"})

    assert response.status_code == 422
    assert "stage" in response.json()["errors"]
    world.project.refresh_from_db()
    assert world.project.stage == "construction"


def test_a_stale_version_answers_409_with_what_others_changed(world, api_for):
    url = f"/api/projects/{world.project.pk}/"
    office, owner = api_for(world.office), api_for(world.owner_user)
    assert office.patch(url, {"version": 1, "leader_in_charge": "分管副区长"}).status_code == 200

    response = owner.patch(url, {"version": 1, "site": "解放碑"})

    assert response.status_code == 409
    body = response.json()
    assert body["version"] == 2
    assert body["detail"]
    [change] = body["changes"]
    assert change["field"] == "leader_in_charge"
    assert change["label"] == "leader in charge"
    assert change["theirs"] == "分管副区长"
    assert change["by"] == str(world.office)
    assert change["at"]
    world.project.refresh_from_db()
    assert world.project.site == ""


def test_a_patch_with_a_unit_out_of_view_changes_nothing(world, api_for):
    before = _snapshot()

    response = api_for(world.office).patch(
        f"/api/projects/{world.project.pk}/",
        {"version": 1, "owner_unit": world.foreign_project.owner_unit_id},
    )

    assert response.status_code == 422
    assert "owner_unit" in response.json()["errors"]
    assert _snapshot() == before


def test_a_patch_to_a_taken_code_is_refused(world, api_for):
    response = api_for(world.office).patch(
        f"/api/projects/{world.project.pk}/",
        {"version": 1, "code": world.other_project.code},
    )

    assert response.status_code == 422
    assert "code" in response.json()["errors"]


def test_a_blank_code_is_no_code(world, api_for):
    response = api_for(world.office).patch(
        f"/api/projects/{world.project.pk}/", {"version": 1, "code": "  "}
    )

    assert response.json()["code"] is None


def test_a_patch_keeping_its_own_code_is_fine(world, api_for):
    response = api_for(world.office).patch(
        f"/api/projects/{world.project.pk}/", {"version": 1, "code": world.project.code}
    )

    assert response.status_code == 200


def test_the_stage_advances_with_a_reason(world, api_for):
    response = api_for(world.responsible_user).post(
        f"/api/projects/{world.project.pk}/stage/",
        {"to": "completed", "reason": "竣工联合验收", "effective_date": "2026-06-30"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stage"] == "completed"
    assert body["actual_completion"] == "2026-06-30"
    change = StageChange.objects.get(project=world.project, to_stage="completed")
    assert change.reason == "竣工联合验收"
    assert change.actor == world.responsible_user


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"to": "reserve", "reason": "退回储备"}, "to"),
        ({"to": "flying", "reason": "?"}, "to"),
        ({"to": "completed", "reason": "  "}, "reason"),
        ({"to": "completed"}, "reason"),
        ({"to": "completed", "reason": "x", "effective_date": "yesterday"}, "effective_date"),
    ],
)
def test_a_disallowed_stage_change_is_refused(world, api_for, payload, field):
    before = _snapshot()

    response = api_for(world.office).post(f"/api/projects/{world.project.pk}/stage/", payload)

    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert _snapshot() == before


def test_a_disallowed_jump_names_both_stages(world, api_for):
    response = api_for(world.office, language="en").post(
        f"/api/projects/{world.project.pk}/stage/", {"to": "operating", "reason": "跳过"}
    )

    assert response.json()["errors"]["to"] == [
        "A project cannot go from “Under construction” to “In operation”."
    ]


def test_the_annual_plan_is_created_then_replaced(world, api_for):
    api = api_for(world.owner_user)
    url = f"/api/projects/{world.project.pk}/plans/2026/"
    assert api.get(url).status_code == 404

    created = api.put(
        url, {"investment_target": "30000000", "milestone": "completion", "milestone_quarter": 4}
    )
    replaced = api.put(url, {"investment_target": 25000000.5, "ytd_completed": "1000"})

    assert created.status_code == 201, created.content
    assert replaced.status_code == 200
    plan = api.get(url).json()
    assert plan["investment_target"] == "25000000.50"
    assert plan["ytd_completed"] == "1000.00"
    assert plan["milestone"] == ""
    assert plan["year"] == 2026
    project = api.get(f"/api/projects/{world.project.pk}/", {"year": 2026}).json()
    assert project["annual_target"] == "25000000.50"
    assert project["ytd_completed"] == "1000.00"
    assert project["plan_share"] == "0.00"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"investment_target": "-1"}, "investment_target"),
        ({"investment_target": "1", "milestone": "moon"}, "milestone"),
        ({"investment_target": "1", "milestone_quarter": 5}, "milestone_quarter"),
        ({}, "investment_target"),
    ],
)
def test_a_bad_annual_plan_is_refused(world, api_for, payload, field):
    response = api_for(world.office).put(f"/api/projects/{world.project.pk}/plans/2026/", payload)

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not world.project.annual_plans.exists()


def test_an_absurd_year_is_refused_when_reading_a_project(world, api_for):
    response = api_for(world.office).get(f"/api/projects/{world.project.pk}/", {"year": 99999})

    assert response.status_code == 422
    assert "year" in response.json()["errors"]


def test_an_absurd_plan_year_is_refused(world, api_for):
    response = api_for(world.office).put(
        f"/api/projects/{world.project.pk}/plans/20260/", {"investment_target": "1"}
    )

    assert response.status_code == 422
    assert "year" in response.json()["errors"]


def test_an_api_change_is_audited_as_the_tokens_owner_through_the_api(world, api_for):
    api_for(world.owner_user).patch(
        f"/api/projects/{world.project.pk}/", {"version": 1, "site": "解放碑"}
    )

    entry = AuditEntry.objects.filter(model="projects.project", object_id=str(world.project.pk))
    last = entry.order_by("-seq").first()
    assert last.actor == world.owner_user
    assert last.channel == "api"
    assert last.after["site"] == "解放碑"


def test_a_session_change_is_audited_through_the_api(world, client_for):
    client_for(world.office).post(
        f"/api/projects/{world.project.pk}/stage/",
        {"to": "completed", "reason": "验收"},
        content_type="application/json",
    )

    last = AuditEntry.objects.filter(model="projects.project").order_by("-seq").first()
    assert (last.actor, last.channel) == (world.office, "api")


def test_the_audit_context_does_not_leak_past_the_request(world, api_for):
    from keyprojects.audit.context import current

    api_for(world.owner_user).get("/api/projects/")

    assert current().actor is None


def test_a_created_projects_dates_round_trip(world, api_for):
    response = api_for(world.office).post(
        "/api/projects/",
        _create_body(world, planned_start="2026-03-01", planned_completion="2027-12-31"),
    )

    assert response.json()["planned_start"] == "2026-03-01"
    assert Project.objects.get(pk=response.json()["id"]).planned_start == dt.date(2026, 3, 1)


def test_the_apis_own_messages_speak_chinese(world, api_for):
    api = api_for(world.leader, language="zh-hans")

    refused = api.patch(f"/api/projects/{world.project.pk}/", {"version": 1, "site": "x"})
    invalid = api_for(world.office, language="zh-hans").post("/api/projects/", "{oops")

    assert refused.json()["detail"] == "您可以查看，但无权修改。"
    assert invalid.json()["detail"] == "请求内容不是有效的 JSON。"
