"""Task pages and API, as every persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from keyprojects.supervision import services
from keyprojects.supervision.choices import TaskStatus
from keyprojects.supervision.models import Task
from tests.web.test_permission_matrix import PERSONAS, expect

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404


@pytest.fixture
def task(world):
    return services.create_task(
        title="完成管线迁改方案", owner_unit=world.responsible, project=world.project,
        deadline=timezone.localdate() + dt.timedelta(days=5), issued_by=world.office,
    )  # fmt: skip


EVERYONE = expect(**dict.fromkeys(PERSONAS, OK))
READERS = expect(
    office=OK, leader=OK, owner_user=OK, responsible_user=OK, bystander_user=NOT_FOUND,
    auditor=OK, outsider=NOT_FOUND,
)  # fmt: skip
ISSUERS = expect(
    office=OK, leader=OK, owner_user=FORBIDDEN, responsible_user=FORBIDDEN,
    bystander_user=FORBIDDEN, auditor=FORBIDDEN, outsider=OK,
)  # fmt: skip
UNIT_READERS = expect(**{**EVERYONE, "outsider": NOT_FOUND})

PAGES = [
    ("/tasks/", EVERYONE),
    ("/tasks/?tab=overdue", EVERYONE),
    ("/tasks/?tab=waiting", EVERYONE),
    ("/tasks/all/", EVERYONE),
    ("/tasks/all/?status=any&overdue=on&q=管线", EVERYONE),
    ("/tasks/add/", ISSUERS),
    ("/tasks/{task}/", READERS),
    ("/tasks/units/{unit}/overdue/", UNIT_READERS),
    ("/api/tasks/", EVERYONE),
    ("/api/tasks/?mine=true", EVERYONE),
    ("/api/tasks/{task}/", READERS),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_each_persona_gets_what_its_role_allows(world, client_for, task, persona, url, expected):
    user = world.personas()[persona]
    response = client_for(user).get(url.format(task=task.pk, unit=world.responsible.pk))
    assert response.status_code == expected[persona], (persona, url)


def test_signed_out_visitors_are_sent_to_sign_in(world, task):
    from django.test import Client

    assert Client().get("/tasks/").status_code == 302
    assert Client().get("/api/tasks/").status_code == 401


def test_the_owner_reports_done_and_the_office_accepts_through_the_page(world, client_for, task):
    owner = client_for(world.responsible_user)
    response = owner.post(
        f"/tasks/{task.pk}/act/",
        {"action": "submit", "text": "已完成", "version": task.version},
        follow=True,
    )
    assert "Reported done" in response.content.decode() or "已" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTED
    client_for(world.office).post(
        f"/tasks/{task.pk}/act/", {"action": "accept", "version": task.version}
    )
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_a_refused_move_shows_the_reason_and_changes_nothing(world, client_for, task):
    response = client_for(world.office).post(
        f"/tasks/{task.pk}/act/", {"action": "accept", "version": task.version}, follow=True
    )
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_a_form_read_before_someone_elses_change_is_refused(world, client_for, task):
    stale = task.version
    services.task_comment(task, user=world.office, text="x")  # no version change
    services.task_extend(
        task, user=world.office, deadline=task.deadline + dt.timedelta(days=3), reason="r"
    )
    client_for(world.responsible_user).post(
        f"/tasks/{task.pk}/act/", {"action": "submit", "text": "done", "version": stale}
    )
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_a_unit_user_cannot_act_on_another_units_task(world, client_for, task):
    response = client_for(world.owner_user).post(
        f"/tasks/{task.pk}/act/", {"action": "submit", "text": "x", "version": task.version}
    )
    assert response.status_code == 403


def test_the_office_assigns_a_task_from_the_form(world, client_for):
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = client_for(world.office).post(
        "/tasks/add/",
        {"title": "督办：加快征地", "owner_unit": world.owner.pk, "deadline": deadline,
         "project": world.project.pk},
    )  # fmt: skip
    assert response.status_code == 302
    task = Task.objects.get(title="督办：加快征地")
    assert task.issued_by == world.office and task.jurisdiction == world.district


def test_the_form_refuses_a_past_deadline_and_a_foreign_unit(world, client_for):
    response = client_for(world.office).post(
        "/tasks/add/",
        {"title": "x", "owner_unit": world.foreign_project.owner_unit_id, "deadline": "2000-01-01"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "deadline" in errors and "owner_unit" in errors
    assert not Task.objects.exists()


def test_the_inbox_query_count_does_not_grow_with_the_page(world, client_for):
    client = client_for(world.responsible_user)
    day = timezone.localdate() + dt.timedelta(days=3)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/tasks/?per_page=100").status_code == 200
        return len(ctx)

    services.create_task(
        title="t", owner_unit=world.responsible, deadline=day, project=world.project
    )
    few = queries()
    for i in range(30):
        services.create_task(
            title=f"t{i}", owner_unit=world.responsible, deadline=day, project=world.project
        )
    assert queries() == few


class TestApi:
    def test_the_owner_answers_and_the_office_accepts(self, world, client_for, task):
        owner = client_for(world.responsible_user)
        listed = owner.get("/api/tasks/?mine=true").json()
        assert [t["id"] for t in listed["items"]] == [task.pk]
        answer = owner.post(
            f"/api/tasks/{task.pk}/actions/",
            {"action": "submit", "text": "已完成", "version": task.version},
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["status"] == "submitted"
        version = answer.json()["version"]
        accepted = client_for(world.office).post(
            f"/api/tasks/{task.pk}/actions/", {"action": "accept", "version": version},
            content_type="application/json",
        )  # fmt: skip
        assert accepted.json()["status"] == "done"
        assert [u["kind"] for u in accepted.json()["updates"]] == [
            "created", "submitted", "accepted",
        ]  # fmt: skip

    def test_an_illegal_move_answers_422_with_the_reason(self, world, client_for, task):
        answer = client_for(world.office).post(
            f"/api/tasks/{task.pk}/actions/", {"action": "accept", "version": task.version},
            content_type="application/json",
        )  # fmt: skip
        assert answer.status_code == 422
        assert answer.json()["detail"]

    def test_only_issuers_assign(self, world, client_for):
        body = {"title": "x", "owner_unit_id": world.owner.pk, "deadline": "2030-01-01"}
        denied = client_for(world.owner_user).post(
            "/api/tasks/", body, content_type="application/json"
        )
        assert denied.status_code == 403
        made = client_for(world.leader).post("/api/tasks/", body, content_type="application/json")
        assert made.status_code == 201 and made.json()["issued_by_id"] == world.leader.pk


def test_the_project_page_shows_what_is_chased_on_it_and_links_to_each_list(
    world, client_for, task
):
    from keyprojects.problems.services import problem_raise

    raised = problem_raise(
        user=world.owner_user, project=world.project, category="utilities", severity="urgent",
        title="电力管线迁改滞后", description="需供电公司配合", need="协调迁改",
    )  # fmt: skip
    page = client_for(world.office).get(f"/projects/{world.project.pk}/")
    lines = {line.label: line for line in page.context["supervision"]}
    html = page.content.decode()
    assert lines["Open tasks"].count == 1 and lines["Open problems"].count == 1
    assert f"/tasks/all/?project={world.project.pk}" in html
    assert raised.get_absolute_url() in html and task.get_absolute_url() in html
    listed = client_for(world.office).get(f"/tasks/all/?project={world.project.pk}")
    assert [t.pk for t in listed.context["page"]] == [task.pk]
    # What a person may not see is not counted for them.
    other = client_for(world.bystander_user).get(f"/projects/{world.project.pk}/")
    counts = {line.label: line.count for line in other.context["supervision"]}
    assert counts["Open tasks"] == 0
