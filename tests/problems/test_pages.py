"""The problem pages: list with filters and counts, raising, the detail page's actions per role,
and the statistics page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from keyprojects.problems import services
from keyprojects.problems.choices import ProblemStatus, Severity
from keyprojects.problems.models import Problem, ProblemResponse
from keyprojects.supervision.choices import TaskStatus
from keyprojects.supervision.sources import tasks_of
from tests.factories import ProjectFactory

from .conftest import fresh


def photo(name: str = "现场.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 20)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def act(client, problem, **data):
    data.setdefault("version", fresh(problem).version)
    return client.post(f"/problems/{problem.pk}/act/", data, follow=True)


def page_messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# -- list -------------------------------------------------------------------------------------


def test_the_list_shows_open_problems_with_counts_by_status(world, browse, raise_problem, closed):
    waiting = raise_problem(title="环评批复办理周期较长")

    response = browse(world.office).get("/problems/")
    page = response.content.decode()

    assert waiting.title in page and closed.title not in page
    counts = dict((value, n) for value, _label, n in response.context["counts"])
    assert counts[ProblemStatus.RAISED] == 1 and counts[ProblemStatus.CLOSED] == 1
    assert response.context["open_count"] == 1


@time_machine.travel(dt.datetime(2026, 6, 1, 2, tzinfo=dt.UTC), tick=False)
def test_the_list_filters(world, browse, raise_problem):
    land = raise_problem(category="land", severity=Severity.URGENT, title="用地红线问题")
    pipes = raise_problem(title="燃气管道迁改")
    services.problem_assign(pipes, user=world.office, units=[world.bystander_unit])
    other = raise_problem(user=world.bystander_user, project=world.other_project, title="夜间施工")
    client = browse(world.office)

    def titles(query: str) -> set[str]:
        response = client.get(f"/problems/?{query}")
        return {p.title for p, _tasks in response.context["rows"]}

    assert titles("category=land") == {land.title}
    assert titles("severity=urgent") == {land.title}
    assert titles("status=assigned") == {pipes.title}
    assert titles(f"unit={world.bystander_unit.pk}") == {pipes.title, other.title}
    assert titles(f"project={world.other_project.pk}") == {other.title}
    assert titles("q=燃气") == {pipes.title}
    assert titles(f"q=%23{land.pk}") == {land.title}
    assert titles("overdue=on") == set()
    # Important: seven working days from 1 June, so overdue on 11 June.
    with time_machine.travel(dt.datetime(2026, 6, 11, 2, tzinfo=dt.UTC), tick=False):
        assert titles("overdue=on") == {pipes.title}
        assert client.get("/problems/").context["overdue_count"] == 1


def test_the_list_shows_only_what_the_person_may_read(world, browse, raise_problem):
    raise_problem(title="我们的问题")
    raise_problem(user=world.bystander_user, project=world.other_project, title="他们的问题")

    page = browse(world.owner_user).get("/problems/?status=any").content.decode()

    assert "我们的问题" in page and "他们的问题" not in page


def test_the_list_takes_as_many_queries_for_many_problems_as_for_one(world, browse, raise_problem):
    client = browse(world.office)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/problems/").status_code == 200
        return len(ctx.captured_queries)

    problem = raise_problem()
    services.problem_assign(problem, user=world.office, units=[world.responsible])
    one = queries()
    for i in range(8):
        project = ProjectFactory(
            jurisdiction=world.district, owner_unit=world.owner, responsible_unit=world.responsible
        )
        more = raise_problem(project=project, title=f"问题{i}")
        services.problem_assign(
            more, user=world.office, units=[world.bystander_unit, world.responsible]
        )

    assert queries() == one


# -- raising ----------------------------------------------------------------------------------


def test_the_raise_form_starts_from_the_project(world, browse):
    response = browse(world.owner_user).get(f"/problems/add/?project={world.project.pk}")

    form = response.context["form"]
    assert form.initial["project"] == world.project.pk
    assert "raised_by_unit" not in form.fields
    assert set(form.fields["project"].queryset) == {world.project}


def test_an_owner_unit_raises_a_problem_with_a_photo(world, browse):
    response = browse(world.owner_user).post(
        "/problems/add/",
        {
            "project": world.project.pk,
            "category": "utilities",
            "severity": "urgent",
            "title": "电力管线迁改滞后",
            "need": "请协调供电公司",
            "attachment": photo(),
        },
    )

    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/problems/{problem.pk}/"
    assert problem.raised_by_unit == world.owner and problem.severity == Severity.URGENT
    assert problem.attachment.name.endswith(".jpg")


def test_a_file_of_another_kind_is_refused(world, browse):
    response = browse(world.owner_user).post(
        "/problems/add/",
        {
            "project": world.project.pk,
            "category": "utilities",
            "title": "电力管线迁改滞后",
            "severity": "general",
            "need": "请协调供电公司",
            "attachment": SimpleUploadedFile("page.html", b"<script>", content_type="text/html"),
        },
    )

    assert response.status_code == 200
    assert "Attach a photo" in " ".join(response.context["form"].errors["attachment"])
    assert not Problem.objects.exists()


def test_the_office_records_a_problem_for_a_unit(world, browse):
    response = browse(world.office).post(
        "/problems/add/",
        {
            "project": world.project.pk,
            "raised_by_unit": world.responsible.pk,
            "category": "funding",
            "severity": "important",
            "title": "进度款拨付滞后",
            "need": "请拨付进度款",
        },
    )

    assert response.status_code == 302
    assert Problem.objects.get().raised_by_unit == world.responsible


def test_the_office_cannot_record_for_an_unrelated_unit(world, browse):
    response = browse(world.office).post(
        "/problems/add/",
        {
            "project": world.project.pk,
            "raised_by_unit": world.bystander_unit.pk,
            "category": "funding",
            "severity": "important",
            "title": "进度款拨付滞后",
            "need": "请拨付进度款",
        },
    )

    assert response.status_code == 200
    assert "raised_by_unit" in response.context["form"].errors
    assert not Problem.objects.exists()


def test_a_unit_cannot_raise_on_a_project_it_has_nothing_to_do_with(world, browse):
    response = browse(world.bystander_user).post(
        "/problems/add/",
        {
            "project": world.project.pk,
            "category": "funding",
            "severity": "important",
            "title": "x",
            "need": "y",
        },
    )

    assert response.status_code == 200
    assert "project" in response.context["form"].errors
    assert not Problem.objects.exists()


# -- detail and actions -----------------------------------------------------------------------


def forms_on(client, problem) -> set[str]:
    page = client.get(f"/problems/{problem.pk}/").content.decode()
    names = ["assign", "deadline", "respond", "confirm", "reopen", "withdraw", "merge"]
    return {n for n in names if f'data-testid="{n}-form"' in page}


def test_each_role_sees_its_own_actions(world, browse, raise_problem):
    problem = raise_problem()
    assert forms_on(browse(world.office), problem) == {"assign", "merge", "withdraw"}
    assert forms_on(browse(world.owner_user), problem) == {"withdraw"}
    assert forms_on(browse(world.leader), problem) == set()

    services.problem_assign(problem, user=world.office, units=[world.responsible])
    assert forms_on(browse(world.office), problem) == {"assign", "deadline", "merge"}
    assert forms_on(browse(world.responsible_user), problem) == {"respond"}
    assert forms_on(browse(world.owner_user), problem) == set()
    assert forms_on(browse(world.auditor), problem) == set()


def test_the_whole_workflow_through_the_page(world, browse, raise_problem):
    problem = raise_problem()
    office, unit, raiser = (
        browse(world.office),
        browse(world.responsible_user),
        browse(world.owner_user),
    )

    response = act(
        office, problem, action="assign", units=[world.responsible.pk], severity="urgent"
    )
    assert "Assigned" in page_messages(response)
    assert fresh(problem).status == ProblemStatus.ASSIGNED

    response = act(unit, problem, action="respond", text="迁改已完成", done="on", file=photo())
    assert "saved" in page_messages(response)
    saved = ProblemResponse.objects.get()
    assert saved.reports_done and saved.thumbnail
    assert 'data-testid="response-text"' in response.content.decode()

    task = tasks_of(problem).get()
    assert task.status == TaskStatus.SUBMITTED
    page = office.get(f"/problems/{problem.pk}/").content.decode()
    assert f'data-testid="decide-{task.pk}"' in page
    response = act(office, problem, action="accept", task=task.pk, task_version=task.version)
    assert fresh(problem).status == ProblemStatus.RESOLVED

    response = act(raiser, problem, action="confirm", rating="4", comment="及时")
    assert "Confirmed and closed" in page_messages(response)
    problem = fresh(problem)
    assert problem.status == ProblemStatus.CLOSED and problem.rating == 4
    assert 'data-testid="problem-rating"' in response.content.decode()


def test_an_illegal_move_is_refused_with_the_reason(world, browse, raise_problem):
    problem = raise_problem()

    response = act(browse(world.owner_user), problem, action="confirm", rating="5")

    assert "Only a resolved problem can be confirmed" in page_messages(response)
    assert fresh(problem).status == ProblemStatus.RAISED


def test_a_stale_page_is_refused(world, browse, raise_problem):
    problem = raise_problem()
    client = browse(world.office)

    response = act(client, problem, action="withdraw", reason="重复", version=99)

    assert "Someone else changed this problem first" in page_messages(response)
    assert fresh(problem).status == ProblemStatus.RAISED


def test_an_invalid_assign_form_says_what_is_wrong(world, browse, raise_problem):
    problem = raise_problem()

    response = act(browse(world.office), problem, action="assign", severity="urgent")

    assert "Responsible units" in page_messages(response)
    assert not tasks_of(problem).exists()


def test_merging_by_number_and_refusing_an_unknown_one(world, browse, raise_problem):
    target = raise_problem(title="目标")
    duplicate = raise_problem(title="重复")
    client = browse(world.office)

    response = act(client, duplicate, action="merge", into_number="999999")
    assert "Choose the problem this one duplicates" in page_messages(response)

    response = act(
        client, duplicate, action="merge", into_number=f"#{target.pk}", reason="同一问题"
    )
    assert fresh(duplicate).status == ProblemStatus.MERGED
    assert 'data-testid="merged-into"' in response.content.decode()
    assert f"#{duplicate.pk}" in client.get(f"/problems/{target.pk}/").content.decode()


def test_reopen_withdraw_and_deadline_through_the_page(world, browse, raise_problem, resolved):
    response = act(browse(world.owner_user), resolved, action="reopen", reason="仍未解决")
    assert fresh(resolved).status == ProblemStatus.ASSIGNED
    assert "Reopened" in page_messages(response)

    new = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    act(browse(world.office), resolved, action="deadline", deadline=new, reason="协调中")
    assert fresh(resolved).deadline.isoformat() == new
    response = act(browse(world.office), resolved, action="deadline", deadline="soon", reason="x")
    assert "as a date" in page_messages(response)

    other = raise_problem()
    act(browse(world.owner_user), other, action="withdraw", reason="已解决")
    assert fresh(other).status == ProblemStatus.WITHDRAWN


def test_an_unknown_action_is_refused(world, browse, raise_problem):
    problem = raise_problem()

    response = act(browse(world.office), problem, action="explode")

    assert "Unknown action" in page_messages(response)


def test_accepting_a_task_of_another_problem_is_refused(world, browse, assigned, raise_problem):
    other = raise_problem()
    services.problem_assign(other, user=world.office, units=[world.bystander_unit])
    task = tasks_of(other).get()

    response = act(browse(world.office), assigned, action="accept", task=task.pk)

    assert "not part of this problem" in page_messages(response)


def test_the_detail_page_takes_the_same_queries_with_more_history(world, browse, assigned):
    client = browse(world.office)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/problems/{assigned.pk}/").status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    for i in range(5):
        services.problem_respond(fresh(assigned), user=world.responsible_user, text=f"进展{i}")
    services.problem_assign(fresh(assigned), user=world.office, units=[world.bystander_unit])

    assert queries() == one


# -- statistics -------------------------------------------------------------------------------


def test_the_statistics_page_shows_each_unit(world, browse, closed):
    response = browse(world.office).get("/problems/statistics/")

    rows = {r.unit: r for r in response.context["rows"]}
    assert rows[world.responsible].assigned == 1 and rows[world.responsible].done == 1
    assert rows[world.responsible].satisfaction == 5
    assert rows[world.owner].raised == 1


def test_a_unit_sees_only_its_own_figures(world, browse, closed):
    response = browse(world.responsible_user).get("/problems/statistics/")

    assert [r.unit for r in response.context["rows"]] == [world.responsible]


def test_a_period_ending_before_it_starts_is_refused(world, browse):
    response = browse(world.office).get("/problems/statistics/?start=2026-06-01&end=2026-05-01")

    assert response.status_code == 200
    assert "end" in response.context["form"].errors


@pytest.mark.parametrize("url", ["/problems/", "/problems/add/", "/problems/statistics/"])
def test_signed_out_visitors_are_sent_to_sign_in(db, client, url):
    response = client.get(url)

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_statistics_take_as_many_queries_for_many_problems_as_for_one(
    world, browse, raise_problem, django_assert_max_num_queries
):
    client = browse(world.office)
    services.problem_assign(raise_problem(), user=world.office, units=[world.responsible])
    with django_assert_max_num_queries(20) as one:
        assert client.get("/problems/statistics/").status_code == 200
    for i in range(6):
        more = raise_problem(user=world.responsible_user, title=f"问题{i}")
        services.problem_assign(more, user=world.office, units=[world.bystander_unit])
        services.problem_respond(fresh(more), user=world.bystander_user, text="收到")

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get("/problems/statistics/")
    assert {r.unit for r in response.context["rows"]} >= {world.responsible, world.bystander_unit}


def test_the_assign_form_offers_the_units_not_yet_working_on_it(world, browse, assigned):
    form = browse(world.office).get(f"/problems/{assigned.pk}/").context["assign_form"]

    units = set(form.fields["units"].queryset)
    assert world.bystander_unit in units
    assert world.responsible not in units  # working on it
    assert world.owner not in units  # raised it
