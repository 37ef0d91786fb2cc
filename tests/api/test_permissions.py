"""Every endpoint as every persona: 404 outside the caller's view, 403 when visible but
not editable, and only the programme office enters projects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from keyprojects.projects.models import AnnualPlan, Project

PERSONAS = [
    "office",
    "leader",
    "owner_user",
    "responsible_user",
    "bystander_user",
    "auditor",
    "outsider",
    "anonymous",
]


def _create_body(world: Any) -> dict[str, Any]:
    return {
        "name": "解放碑地下停车库及连接通道三期工程",
        "level": "district",
        "industry": "transport",
        "owner_unit": world.owner.pk,
        "responsible_unit": world.responsible.pk,
        "total_investment": "50000000.00",
    }


def _call(api: Any, endpoint: str, world: Any) -> Any:
    project = f"/api/projects/{world.project.pk}/"
    if endpoint == "list_units":
        return api.get("/api/units/")
    if endpoint == "get_unit":
        return api.get(f"/api/units/{world.owner.pk}/")
    if endpoint == "list_projects":
        return api.get("/api/projects/")
    if endpoint == "get_project":
        return api.get(project)
    if endpoint == "create_project":
        return api.post("/api/projects/", _create_body(world))
    if endpoint == "update_project":
        return api.patch(project, {"version": 1, "site": "渝中区解放碑"})
    if endpoint == "advance_stage":
        return api.post(f"{project}stage/", {"to": "completed", "reason": "竣工验收"})
    if endpoint == "get_plan":
        return api.get(f"{project}plans/2026/")
    if endpoint == "set_plan":
        return api.put(f"{project}plans/2026/", {"investment_target": "1000.00"})
    raise AssertionError(endpoint)


READ = {p: 200 for p in PERSONAS} | {"anonymous": 401}
READ_PROJECT = READ | {"outsider": 404}
EDIT = {
    "office": 200,
    "leader": 403,
    "owner_user": 200,
    "responsible_user": 200,
    "bystander_user": 403,
    "auditor": 403,
    "outsider": 404,
    "anonymous": 401,
}
EXPECTED: dict[str, dict[str, int]] = {
    "list_units": READ,
    "get_unit": READ_PROJECT,
    "list_projects": READ,
    "get_project": READ_PROJECT,
    # The outsider's office may create, but not with another district's units.
    "create_project": {p: 403 for p in PERSONAS}
    | {"office": 201, "outsider": 422, "anonymous": 401},
    "update_project": EDIT,
    "advance_stage": EDIT,
    "get_plan": READ_PROJECT,
    "set_plan": EDIT,
}
CASES = [(endpoint, persona) for endpoint in EXPECTED for persona in PERSONAS]


@pytest.mark.parametrize(("endpoint", "persona"), CASES)
def test_permission_matrix(world, api_for, endpoint, persona):
    AnnualPlan.objects.create(project=world.project, year=2026, investment_target=Decimal(5))
    user = None if persona == "anonymous" else world.personas()[persona]
    before = list(Project.objects.order_by("pk").values())

    response = _call(api_for(user), endpoint, world)

    assert response.status_code == EXPECTED[endpoint][persona], response.content
    body = response.json()
    if response.status_code >= 400:
        assert set(body) >= {"detail", "errors"}
        assert list(Project.objects.order_by("pk").values()) == before


@pytest.mark.parametrize("persona", PERSONAS[:-1])
def test_each_persona_lists_only_its_jurisdictions_projects(world, api_for, persona):
    response = api_for(world.personas()[persona]).get("/api/projects/")

    names = {item["name"] for item in response.json()["items"]}
    if persona == "outsider":
        assert names == {"江北嘴项目"}
    else:
        assert names == {"老鼓楼衙署遗址公园", "珊瑚公园滨江公园"}


def test_outsider_sees_only_its_own_units(world, api_for):
    response = api_for(world.outsider).get("/api/units/")

    assert [unit["name"] for unit in response.json()] == ["江北区城投公司"]


def test_a_city_office_sees_and_edits_its_districts(world, api_for):
    from tests.factories import UserFactory

    city_office = UserFactory(username="city", role="programme_office", jurisdiction=world.city)
    api = api_for(city_office)

    assert api.get("/api/projects/").json()["count"] == 3
    response = api.patch(
        f"/api/projects/{world.foreign_project.pk}/", {"version": 1, "site": "江北"}
    )
    assert response.status_code == 200
