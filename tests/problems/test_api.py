"""Problems in the JSON API: what a phone app raises, answers and decides, with the same
visibility and the same refusals as the pages."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from keyprojects.problems import services
from keyprojects.problems.choices import ProblemStatus
from keyprojects.problems.models import Problem
from keyprojects.supervision.sources import tasks_of

from .conftest import fresh

PATHS = {
    "/api/problems/": {"get", "post"},
    "/api/problems/statistics/": {"get"},
    "/api/problems/{problem_id}/": {"get"},
    "/api/problems/{problem_id}/assign/": {"post"},
    "/api/problems/{problem_id}/deadline/": {"post"},
    "/api/problems/{problem_id}/responses/": {"post"},
    "/api/problems/{problem_id}/confirm/": {"post"},
    "/api/problems/{problem_id}/reopen/": {"post"},
    "/api/problems/{problem_id}/merge/": {"post"},
    "/api/problems/{problem_id}/withdraw/": {"post"},
}


def test_the_openapi_document_lists_the_problem_paths(db):
    document = Client().get("/api/openapi.json").json()

    paths = {path: set(ops) for path, ops in document["paths"].items() if "/problems" in path}
    assert paths == PATHS
    body = document["paths"]["/api/problems/{problem_id}/responses/"]["post"]["requestBody"]
    assert "multipart/form-data" in body["content"]


def respond(api, problem, text="已完成迁改", done=False, file=None):
    data = {"text": text, "done": "true" if done else "false"}
    if file is not None:
        data["file"] = file
    return api.client.post(f"/api/problems/{problem.pk}/responses/", data)


def png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 120, 200)).save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = "现场.png"
    return buffer


# -- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["office", "leader", "owner_user", "responsible_user", "bystander_user", "auditor",
                "outsider"],
)  # fmt: skip
def test_the_list_shows_what_the_pages_show(world, api_for, raise_problem, persona):
    raise_problem()
    raise_problem(user=world.bystander_user, project=world.other_project)
    user = world.personas()[persona]

    body = api_for(user).get("/api/problems/").json()

    expected = set(Problem.objects.visible_to(user).values_list("pk", flat=True))
    assert {item["id"] for item in body["items"]} == expected
    assert body["count"] == len(expected)


def test_an_invisible_problem_is_not_found(world, api_for, raise_problem):
    problem = raise_problem()

    assert api_for(world.outsider).get(f"/api/problems/{problem.pk}/").status_code == 404
    assert api_for(world.bystander_user).get(f"/api/problems/{problem.pk}/").status_code == 404


def test_signed_out_callers_are_told_to_authenticate(world, api_for, raise_problem):
    assert api_for(None).get("/api/problems/").status_code == 401


def test_the_list_filters_as_the_page_does(world, api_for, raise_problem, closed):
    other = raise_problem(category="land", title="用地问题")
    api = api_for(world.office)

    def ids(**query) -> set[int]:
        return {i["id"] for i in api.get("/api/problems/", query).json()["items"]}

    assert ids() == {other.pk}
    assert ids(status="any") == {other.pk, closed.pk}
    assert ids(status="closed") == {closed.pk}
    assert ids(category="land") == {other.pk}
    assert ids(unit_id=world.responsible.pk, status="any") == {closed.pk}
    assert ids(project_id=world.project.pk, q="用地") == {other.pk}
    response = api.get("/api/problems/", {"status": "lost"})
    assert response.status_code == 422 and "status" in response.json()["errors"]
    assert api.get("/api/problems/", {"unit_id": 999999}).status_code == 422
    assert api.get("/api/problems/", {"project_id": world.foreign_project.pk}).status_code == 422


def test_a_problem_reads_with_its_assignments_responses_timeline_and_actions(
    world, api_for, assigned
):
    respond(api_for(world.responsible_user), assigned, text="正在协调")

    body = api_for(world.responsible_user).get(f"/api/problems/{assigned.pk}/").json()

    assert body["status"] == "assigned" and body["deadline"]
    assert [a["unit_id"] for a in body["assignments"]] == [world.responsible.pk]
    assert body["responses"][0]["text"] == "正在协调"
    assert [e["kind"] for e in body["events"]] == ["raised", "assigned"]
    assert body["actions"] == ["respond"]
    office = api_for(world.office).get(f"/api/problems/{assigned.pk}/").json()
    assert office["actions"] == ["assign", "deadline", "merge"]


# -- the workflow -----------------------------------------------------------------------------


def test_a_phone_app_walks_the_whole_workflow(world, api_for):
    owner, office, unit = (
        api_for(world.owner_user),
        api_for(world.office),
        api_for(world.responsible_user),
    )

    response = owner.post(
        "/api/problems/",
        {"project_id": world.project.pk, "category": "utilities", "severity": "urgent",
         "title": "电力管线迁改滞后", "need": "请协调供电公司"},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    problem = response.json()
    assert problem["raised_by_unit_id"] == world.owner.pk and problem["actions"] == ["withdraw"]

    response = office.post(
        f"/api/problems/{problem['id']}/assign/",
        {"unit_ids": [world.responsible.pk], "version": problem["version"], "note": "请尽快"},
    )
    assert response.status_code == 200
    problem = response.json()
    assert problem["status"] == "assigned" and len(problem["assignments"]) == 1

    response = respond(unit, Problem(pk=problem["id"]), text="已迁改完成", done=True, file=png())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["responses"][0]["file_url"].endswith(".jpg")
    assert body["assignments"][0]["status"] == "submitted"

    task = body["assignments"][0]
    response = office.post(
        f"/api/tasks/{task['task_id']}/actions/", {"action": "accept", "version": task["version"]}
    )
    assert response.status_code == 200

    problem = owner.get(f"/api/problems/{problem['id']}/").json()
    assert problem["status"] == "resolved" and problem["actions"] == ["confirm", "reopen"]
    response = owner.post(
        f"/api/problems/{problem['id']}/confirm/",
        {"rating": 5, "comment": "很好", "version": problem["version"]},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "closed" and response.json()["rating"] == 5


def test_raising_refusals(world, api_for):
    body = {"project_id": world.project.pk, "category": "land", "title": "x", "need": "y"}

    assert api_for(world.bystander_user).post("/api/problems/", body).status_code == 403
    assert api_for(world.auditor).post("/api/problems/", body).status_code == 403
    bad = api_for(world.owner_user).post("/api/problems/", {**body, "category": "weather"})
    assert bad.status_code == 422 and "category" in bad.json()["errors"]
    foreign = api_for(world.owner_user).post(
        "/api/problems/", {**body, "project_id": world.foreign_project.pk}
    )
    assert foreign.status_code == 422 and "project_id" in foreign.json()["errors"]
    office = api_for(world.office).post("/api/problems/", body)
    assert office.status_code == 422
    assert "owner or responsible unit" in " ".join(office.json()["errors"]["__all__"])
    assert not Problem.objects.exists()


def test_the_office_records_for_a_unit_through_the_api(world, api_for):
    response = api_for(world.office).post(
        "/api/problems/",
        {"project_id": world.project.pk, "raised_by_unit_id": world.responsible.pk,
         "category": "funding", "title": "进度款", "need": "请拨付"},
    )  # fmt: skip

    assert (
        response.status_code == 201 and response.json()["raised_by_unit_id"] == world.responsible.pk
    )


def test_an_illegal_move_answers_422_with_the_reason(world, api_for, raise_problem):
    problem = raise_problem()

    response = api_for(world.owner_user).post(
        f"/api/problems/{problem.pk}/confirm/", {"rating": 5, "version": problem.version}
    )

    assert response.status_code == 422
    assert "Only a resolved problem can be confirmed" in response.json()["errors"]["__all__"][0]


def test_a_stale_version_answers_422_and_changes_nothing(world, api_for, raise_problem):
    problem = raise_problem()

    response = api_for(world.office).post(
        f"/api/problems/{problem.pk}/assign/", {"unit_ids": [world.responsible.pk], "version": 7}
    )

    assert response.status_code == 422
    assert "Someone else changed" in response.json()["errors"]["__all__"][0]
    assert not tasks_of(problem).exists()


def test_assign_refusals(world, api_for, raise_problem):
    problem = raise_problem()
    body = {"unit_ids": [world.responsible.pk], "version": problem.version}

    assert (
        api_for(world.owner_user).post(f"/api/problems/{problem.pk}/assign/", body).status_code
        == 403
    )
    unknown = api_for(world.office).post(
        f"/api/problems/{problem.pk}/assign/", {**body, "unit_ids": [999999]}
    )
    assert unknown.status_code == 422 and "unit_ids" in unknown.json()["errors"]


def test_responding_refusals(world, api_for, raise_problem, assigned):
    assert respond(api_for(world.owner_user), assigned).status_code == 403
    assert respond(api_for(world.bystander_user), assigned).status_code == 404
    empty = respond(api_for(world.responsible_user), assigned, text=" ")
    assert empty.status_code == 422 and "Write the response" in empty.json()["errors"]["__all__"][0]
    missing = api_for(world.responsible_user).client.post(
        f"/api/problems/{assigned.pk}/responses/", {}
    )
    assert missing.status_code == 422 and "text" in missing.json()["errors"]


def test_confirm_needs_a_rating_from_1_to_5(world, api_for, resolved):
    response = api_for(world.owner_user).post(
        f"/api/problems/{resolved.pk}/confirm/", {"rating": 6, "version": resolved.version}
    )

    assert response.status_code == 422 and "rating" in response.json()["errors"]
    assert fresh(resolved).status == ProblemStatus.RESOLVED


def test_reopen_merge_withdraw_and_deadline(world, api_for, raise_problem, resolved):
    owner, office = api_for(world.owner_user), api_for(world.office)

    response = owner.post(
        f"/api/problems/{resolved.pk}/reopen/", {"reason": "未解决", "version": resolved.version}
    )
    assert response.status_code == 200 and response.json()["status"] == "assigned"
    problem = response.json()
    response = office.post(
        f"/api/problems/{resolved.pk}/deadline/",
        {"deadline": "2030-06-03", "reason": "方案调整", "version": problem["version"]},
    )
    assert response.status_code == 200 and response.json()["deadline"] == "2030-06-03"

    duplicate = raise_problem(title="重复")
    response = office.post(
        f"/api/problems/{duplicate.pk}/merge/",
        {"into_id": resolved.pk, "reason": "同一问题", "version": duplicate.version},
    )
    assert response.status_code == 200 and response.json()["merged_into_id"] == resolved.pk
    unknown = office.post(f"/api/problems/{duplicate.pk}/merge/", {"into_id": 999999, "version": 2})
    assert unknown.status_code == 422 and "into_id" in unknown.json()["errors"]

    other = raise_problem()
    response = owner.post(
        f"/api/problems/{other.pk}/withdraw/", {"reason": "已解决", "version": other.version}
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_statistics_through_the_api(world, api_for, closed):
    rows = api_for(world.office).get("/api/problems/statistics/").json()

    by_unit = {r["unit_id"]: r for r in rows}
    assert by_unit[world.responsible.pk]["closure_rate"] == 100.0
    assert by_unit[world.responsible.pk]["satisfaction"] == 5.0
    own = api_for(world.owner_user).get("/api/problems/statistics/").json()
    assert [r["unit_id"] for r in own] == [world.owner.pk]
    bad = api_for(world.office).get("/api/problems/statistics/?start=2026-06-01&end=2026-01-01")
    assert bad.status_code == 422


def test_the_list_takes_as_many_queries_for_many_problems_as_for_one(
    world, api_for, raise_problem, django_assert_max_num_queries
):
    api = api_for(world.office)
    problem = raise_problem()
    services.problem_assign(problem, user=world.office, units=[world.responsible])
    with django_assert_max_num_queries(20) as one:
        assert api.get("/api/problems/").status_code == 200
    for i in range(6):
        more = raise_problem(title=f"问题{i}")
        services.problem_assign(
            more, user=world.office, units=[world.responsible, world.bystander_unit]
        )

    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(api.get("/api/problems/").json()["items"]) == 7
