"""Every path of a problem's life through the services, and every refusal with its reason."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from keyprojects.notifications.models import Notification
from keyprojects.problems import services
from keyprojects.problems.choices import EventKind, ProblemStatus, Severity
from keyprojects.problems.models import Problem, ProblemResponse
from keyprojects.projects.choices import Stage
from keyprojects.supervision import services as supervision
from keyprojects.supervision.choices import SourceKind, TaskStatus, UpdateKind
from keyprojects.supervision.sources import tasks_of
from tests.factories import UnitFactory, UserFactory

from .conftest import finish_part, fresh


def kinds(problem: Problem) -> list[str]:
    return list(problem.events.values_list("kind", flat=True))


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return " ".join(caught.value.messages)


# -- raising ----------------------------------------------------------------------------------


def test_an_owner_unit_user_raises_a_problem_on_its_project(world, raise_problem):
    problem = raise_problem()

    assert problem.status == ProblemStatus.RAISED
    assert problem.raised_by_unit == world.owner
    assert problem.raised_by == world.owner_user
    assert problem.jurisdiction == world.district
    assert problem.deadline is None
    assert kinds(problem) == [EventKind.RAISED]
    assert Notification.objects.filter(user=world.office, kind="problem_raised").exists()


def test_the_responsible_unit_may_raise_on_a_project_it_answers_for(world, raise_problem):
    problem = raise_problem(user=world.responsible_user)

    assert problem.raised_by_unit == world.responsible


def test_the_office_records_a_problem_for_the_owner_unit(world, raise_problem):
    problem = raise_problem(user=world.office, raised_by_unit=world.owner)

    assert problem.raised_by_unit == world.owner and problem.recorded_by_office
    assert "programme office" in problem.events.get().text


def test_the_office_must_say_which_unit_it_records_for(world, raise_problem):
    message = refused(raise_problem, user=world.office)

    assert "owner or responsible unit" in message
    assert not Problem.objects.exists()


def test_the_office_cannot_record_for_a_unit_unrelated_to_the_project(world, raise_problem):
    with pytest.raises(ValidationError) as caught:
        raise_problem(user=world.office, raised_by_unit=world.bystander_unit)

    assert "raised_by_unit" in caught.value.message_dict
    assert not Problem.objects.exists()


@pytest.mark.parametrize("persona", ["bystander_user", "leader", "auditor", "outsider"])
def test_others_cannot_raise_on_the_project(world, raise_problem, persona):
    with pytest.raises(PermissionDenied):
        raise_problem(user=world.personas()[persona])
    assert not Problem.objects.exists()


def test_a_problem_needs_a_title_and_what_is_needed(world, raise_problem):
    with pytest.raises(ValidationError) as caught:
        raise_problem(title="  ", need="")

    assert {"title", "need"} <= set(caught.value.message_dict)
    assert not Problem.objects.exists()


def test_an_unknown_category_is_refused(world, raise_problem):
    with pytest.raises(ValidationError) as caught:
        raise_problem(category="weather")

    assert "category" in caught.value.message_dict


def test_no_problem_is_raised_on_a_cancelled_project(world, raise_problem):
    world.project.stage = Stage.CANCELLED
    world.project.save()

    assert "cancelled" in refused(raise_problem)


def test_needed_from_a_unit_of_another_district_is_refused(world, raise_problem):
    foreign = UnitFactory(jurisdiction=world.other_district, name="江北区规划局")

    with pytest.raises(ValidationError) as caught:
        raise_problem(needed_from_unit=foreign)
    assert "needed_from_unit" in caught.value.message_dict


# -- triage and assignment --------------------------------------------------------------------


def test_the_office_assigns_units_each_getting_a_supervised_task(world, raise_problem):
    problem = raise_problem(severity=Severity.URGENT)
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, tzinfo=dt.UTC), tick=False):
        tasks = services.problem_assign(
            problem,
            user=world.office,
            units=[world.responsible, world.bystander_unit],
            note="请三日内反馈",
        )
    problem = fresh(problem)

    assert problem.status == ProblemStatus.ASSIGNED
    # Three working days from Wednesday 30 September: the National Day holiday does not
    # count, Saturday 10 October is worked in exchange (调休).
    assert problem.deadline == dt.date(2026, 10, 10)
    assert problem.triaged_at is not None
    assert {t.owner_unit for t in tasks} == {world.responsible, world.bystander_unit}
    for task in tasks:
        assert task.source == problem and task.source_kind == SourceKind.PROBLEM
        assert task.project == world.project and task.deadline == dt.date(2026, 10, 10)
        assert task.issued_by == world.office and "请三日内反馈" in task.detail
    assert set(tasks_of(problem)) == set(tasks)
    assert kinds(problem).count(EventKind.ASSIGNED) == 2
    assert Notification.objects.filter(user=world.owner_user, kind="problem_assigned").exists()
    assert Notification.objects.filter(user=world.responsible_user, kind="task_assigned").exists()


def test_triage_may_change_the_severity_and_set_the_deadline(world, raise_problem):
    problem = raise_problem(severity=Severity.GENERAL)
    deadline = timezone.localdate() + dt.timedelta(days=4)

    services.problem_assign(
        problem, user=world.office, units=[world.responsible], severity="urgent", deadline=deadline
    )
    problem = fresh(problem)

    assert problem.severity == Severity.URGENT and problem.deadline == deadline


def test_the_office_adds_a_unit_to_a_problem_in_progress(world, assigned):
    services.problem_assign(assigned, user=world.office, units=[world.bystander_unit])

    assert tasks_of(assigned).count() == 2
    assert fresh(assigned).status == ProblemStatus.ASSIGNED


def test_a_unit_already_working_on_it_is_not_assigned_twice(world, assigned):
    message = refused(
        services.problem_assign, assigned, user=world.office, units=[world.responsible]
    )

    assert "Already working on this problem: 区住房城市建委" in message
    assert tasks_of(assigned).count() == 1


@pytest.mark.parametrize("persona", ["owner_user", "responsible_user", "leader", "auditor"])
def test_only_the_office_assigns(world, raise_problem, persona):
    problem = raise_problem()

    with pytest.raises(PermissionDenied):
        services.problem_assign(problem, user=world.personas()[persona], units=[world.responsible])
    assert fresh(problem).status == ProblemStatus.RAISED and not tasks_of(problem).exists()


def test_the_office_of_another_district_cannot_assign(world, raise_problem):
    with pytest.raises(PermissionDenied):
        services.problem_assign(raise_problem(), user=world.outsider, units=[world.responsible])


def test_assignment_refusals_change_nothing(world, raise_problem):
    problem = raise_problem()
    foreign = UnitFactory(jurisdiction=world.other_district)
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    assert "at least one" in refused(services.problem_assign, problem, user=world.office, units=[])
    assert "another jurisdiction" in refused(
        services.problem_assign, problem, user=world.office, units=[foreign]
    )
    assert "raised the problem" in refused(
        services.problem_assign, problem, user=world.office, units=[world.owner]
    )
    assert "already passed" in refused(
        services.problem_assign,
        problem,
        user=world.office,
        units=[world.responsible],
        deadline=yesterday,
    )
    assert "Choose a severity" in refused(
        services.problem_assign, problem, user=world.office, units=[world.responsible],
        severity="apocalyptic",
    )  # fmt: skip
    problem = fresh(problem)
    assert problem.status == ProblemStatus.RAISED and problem.version == 1
    assert not tasks_of(problem).exists()


def test_a_closed_problem_cannot_be_assigned(world, closed):
    message = refused(
        services.problem_assign, closed, user=world.office, units=[world.bystander_unit]
    )

    assert "this one is Closed" in message


def test_a_stale_form_is_refused_and_changes_nothing(world, raise_problem):
    problem = raise_problem()
    stale = Problem.objects.get(pk=problem.pk)
    services.problem_assign(problem, user=world.office, units=[world.responsible])

    message = refused(
        services.problem_assign, stale, user=world.office, units=[world.bystander_unit]
    )

    assert "Someone else changed this problem first" in message
    assert tasks_of(problem).count() == 1


# -- responses --------------------------------------------------------------------------------


def test_a_responsible_unit_responds_and_the_task_history_shows_it(world, assigned):
    response = services.problem_respond(
        assigned, user=world.responsible_user, text="已召开协调会，方案审定中"
    )
    task = tasks_of(assigned).get()

    assert response.unit == world.responsible and response.task == task
    assert fresh(assigned).first_response_at == response.at
    update = task.updates.get(kind=UpdateKind.COMMENT)
    assert update.text == "已召开协调会，方案审定中" and update.author == world.responsible_user
    assert task.status == TaskStatus.OPEN
    assert Notification.objects.filter(user=world.owner_user, kind="problem_responded").exists()


def test_two_units_responding_at_once_both_keep_their_responses(world, raise_problem):
    problem = raise_problem()
    services.problem_assign(
        problem, user=world.office, units=[world.responsible, world.bystander_unit]
    )
    # Both read the problem before either answered.
    seen_by_one = Problem.objects.get(pk=problem.pk)
    seen_by_other = Problem.objects.get(pk=problem.pk)

    first = services.problem_respond(seen_by_one, user=world.responsible_user, text="住建委意见")
    services.problem_respond(seen_by_other, user=world.bystander_user, text="城管局意见", done=True)

    texts = set(ProblemResponse.objects.filter(problem=problem).values_list("text", flat=True))
    assert texts == {"住建委意见", "城管局意见"}
    assert fresh(problem).first_response_at == first.at
    assert tasks_of(problem).get(owner_unit=world.bystander_unit).status == TaskStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["owner_user", "bystander_user", "office", "leader"])
def test_only_an_assigned_unit_responds(world, assigned, persona):
    with pytest.raises(PermissionDenied):
        services.problem_respond(assigned, user=world.personas()[persona], text="意见")
    assert not ProblemResponse.objects.exists()


def test_an_empty_response_is_refused(world, assigned):
    assert "Write the response" in refused(
        services.problem_respond, assigned, user=world.responsible_user, text="   "
    )
    assert not ProblemResponse.objects.exists()


def test_a_unit_reports_its_part_done_only_once(world, assigned):
    services.problem_respond(assigned, user=world.responsible_user, text="已完成", done=True)

    message = refused(
        services.problem_respond,
        fresh(assigned),
        user=world.responsible_user,
        text="再次",
        done=True,
    )
    assert "already reported done" in message
    assert ProblemResponse.objects.count() == 1


def test_responses_are_taken_only_while_in_progress(world, resolved):
    message = refused(services.problem_respond, resolved, user=world.responsible_user, text="补充")

    assert "this one is Awaiting confirmation" in message


# -- resolution follows the tasks -------------------------------------------------------------


def test_the_problem_is_resolved_when_every_unit_is_done(world, raise_problem):
    problem = raise_problem()
    services.problem_assign(
        problem, user=world.office, units=[world.responsible, world.bystander_unit]
    )

    finish_part(world, problem, world.responsible, world.responsible_user)
    assert fresh(problem).status == ProblemStatus.ASSIGNED

    finish_part(world, problem, world.bystander_unit, world.bystander_user)
    problem = fresh(problem)
    assert problem.status == ProblemStatus.RESOLVED and problem.resolved_at is not None
    assert kinds(problem)[-1] == EventKind.RESOLVED
    assert EventKind.UNIT_REPORTED in kinds(problem) and EventKind.UNIT_ACCEPTED in kinds(problem)
    assert Notification.objects.filter(user=world.owner_user, kind="problem_resolved").exists()


def test_a_part_returned_by_the_office_stays_in_progress(world, assigned):
    services.problem_respond(assigned, user=world.responsible_user, text="已完成", done=True)
    task = tasks_of(assigned).get()

    supervision.task_return(task, user=world.office, reason="缺少迁改完成证明")

    assert fresh(assigned).status == ProblemStatus.ASSIGNED
    assert kinds(assigned)[-1] == EventKind.UNIT_RETURNED


def test_the_timeline_carries_the_words_said_on_the_task(world, assigned):
    task = tasks_of(assigned).get()
    supervision.task_submit(task, user=world.responsible_user, text="在任务页报告已完成")
    supervision.task_return(tasks_of(assigned).get(), user=world.office, reason="缺少迁改完成证明")
    services.problem_respond(fresh(assigned), user=world.responsible_user, text="已补充", done=True)

    words = list(assigned.events.values_list("kind", "text"))[-3:]

    assert words == [
        (EventKind.UNIT_REPORTED, "在任务页报告已完成"),
        (EventKind.UNIT_RETURNED, "缺少迁改完成证明"),
        # Said in the response on the problem itself: not repeated.
        (EventKind.UNIT_REPORTED, ""),
    ]


def test_cancelling_the_last_assignment_sends_it_back_to_the_office(world, assigned):
    supervision.task_cancel(tasks_of(assigned).get(), user=world.office, reason="分办有误")
    problem = fresh(assigned)

    assert problem.status == ProblemStatus.RAISED and problem.deadline is None
    assert kinds(problem)[-2:] == [EventKind.UNIT_CANCELLED, EventKind.BACK_TO_TRIAGE]


def test_cancelling_the_open_part_resolves_it_when_the_rest_is_done(world, raise_problem):
    problem = raise_problem()
    services.problem_assign(
        problem, user=world.office, units=[world.responsible, world.bystander_unit]
    )
    finish_part(world, problem, world.responsible, world.responsible_user)

    supervision.task_cancel(
        tasks_of(problem).get(owner_unit=world.bystander_unit), user=world.office, reason="无需办理"
    )

    assert fresh(problem).status == ProblemStatus.RESOLVED


def test_reopening_a_task_of_a_closed_problem_puts_it_back_to_work(world, closed):
    supervision.task_reopen(tasks_of(closed).get(), user=world.office, reason="问题复发")
    problem = fresh(closed)

    assert problem.status == ProblemStatus.ASSIGNED and problem.rating is None
    assert kinds(problem)[-1] == EventKind.BACK_TO_WORK


# -- confirm, rate, close ---------------------------------------------------------------------


def test_the_raiser_confirms_rates_and_closes(world, resolved):
    services.problem_confirm(resolved, user=world.owner_user, rating=4, comment="基本满意")
    problem = fresh(resolved)

    assert problem.status == ProblemStatus.CLOSED
    assert problem.rating == 4 and problem.rating_comment == "基本满意"
    assert problem.closed_at is not None
    assert problem.events.last().text == "★★★★ 基本满意"
    assert Notification.objects.filter(user=world.responsible_user, kind="problem_closed").exists()


def test_the_office_confirms_for_the_raiser(world, resolved):
    services.problem_confirm(resolved, user=world.office, rating=5)

    assert fresh(resolved).status == ProblemStatus.CLOSED


@pytest.mark.parametrize("persona", ["responsible_user", "bystander_user", "leader", "auditor"])
def test_only_the_raiser_or_the_office_confirms(world, resolved, persona):
    with pytest.raises(PermissionDenied):
        services.problem_confirm(resolved, user=world.personas()[persona], rating=5)
    assert fresh(resolved).status == ProblemStatus.RESOLVED


def test_a_problem_in_progress_cannot_be_confirmed(world, assigned):
    message = refused(services.problem_confirm, assigned, user=world.owner_user, rating=5)

    assert "Only a resolved problem can be confirmed; this one is In progress." in message


@pytest.mark.parametrize("rating", [0, 6, "five", None])
def test_the_rating_is_from_1_to_5(world, resolved, rating):
    with pytest.raises(ValidationError) as caught:
        services.problem_confirm(resolved, user=world.owner_user, rating=rating)

    assert caught.value.message_dict == {"rating": ["Rate the resolution from 1 to 5."]}
    assert fresh(resolved).status == ProblemStatus.RESOLVED


def test_a_low_rating_says_what_was_unsatisfactory(world, resolved):
    with pytest.raises(ValidationError) as caught:
        services.problem_confirm(resolved, user=world.owner_user, rating=2)
    assert "comment" in caught.value.message_dict

    services.problem_confirm(resolved, user=world.owner_user, rating=2, comment="耗时过长")
    assert fresh(resolved).rating == 2


# -- reopen -----------------------------------------------------------------------------------


def test_the_raiser_reopens_a_resolved_problem_with_new_assignments(world, resolved):
    old_task = tasks_of(resolved).get()
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC), tick=False):
        tasks = services.problem_reopen(resolved, user=world.owner_user, reason="仍有一处未迁改")
    problem = fresh(resolved)

    assert problem.status == ProblemStatus.ASSIGNED and problem.reopened_count == 1
    # Important: seven working days from Monday 2 November.
    assert problem.deadline == dt.date(2026, 11, 11)
    assert [t.owner_unit for t in tasks] == [world.responsible]
    assert tasks[0].status == TaskStatus.OPEN and tasks[0].pk != old_task.pk
    assert "仍有一处未迁改" in tasks[0].detail and tasks[0].issued_by is None
    old_task.refresh_from_db()
    assert old_task.status == TaskStatus.DONE
    assert EventKind.REOPENED in kinds(problem)


def test_a_closed_problem_is_reopened_by_the_office_only(world, closed):
    message = refused(services.problem_reopen, closed, user=world.owner_user, reason="复发")
    assert "reopened by the programme office" in message
    assert fresh(closed).status == ProblemStatus.CLOSED

    services.problem_reopen(closed, user=world.office, reason="复发")
    problem = fresh(closed)
    assert problem.status == ProblemStatus.ASSIGNED and problem.rating is None
    assert problem.closed_at is None


def test_reopening_needs_a_reason_and_a_finished_problem(world, resolved, raise_problem):
    assert "Say why" in refused(services.problem_reopen, resolved, user=world.owner_user, reason="")
    other = raise_problem()
    message = refused(services.problem_reopen, other, user=world.owner_user, reason="x")
    assert "this one is Awaiting assignment" in message
    with pytest.raises(PermissionDenied):
        services.problem_reopen(resolved, user=world.responsible_user, reason="x")


# -- withdraw ---------------------------------------------------------------------------------


def test_the_raiser_withdraws_before_triage(world, raise_problem):
    problem = raise_problem()

    services.problem_withdraw(problem, user=world.owner_user, reason="已自行解决")

    assert fresh(problem).status == ProblemStatus.WITHDRAWN
    assert kinds(problem)[-1] == EventKind.WITHDRAWN


def test_an_assigned_problem_cannot_be_withdrawn(world, assigned):
    message = refused(services.problem_withdraw, assigned, user=world.owner_user, reason="不需要了")

    assert "not yet assigned" in message and fresh(assigned).status == ProblemStatus.ASSIGNED


def test_withdrawing_needs_a_reason_and_the_raiser(world, raise_problem):
    problem = raise_problem()

    assert "Say why" in refused(
        services.problem_withdraw, problem, user=world.owner_user, reason=""
    )
    with pytest.raises(PermissionDenied):
        services.problem_withdraw(problem, user=world.responsible_user, reason="x")


# -- merge ------------------------------------------------------------------------------------


def test_merging_a_duplicate_cancels_its_tasks_and_keeps_its_responses(world, raise_problem):
    target = raise_problem(title="剩余住户未签约")
    duplicate = raise_problem(user=world.responsible_user, title="住户未搬迁")
    services.problem_assign(duplicate, user=world.office, units=[world.bystander_unit])
    services.problem_respond(fresh(duplicate), user=world.bystander_user, text="正在协调")

    services.problem_merge(fresh(duplicate), user=world.office, into=target, reason="同一问题")
    duplicate = fresh(duplicate)

    assert duplicate.status == ProblemStatus.MERGED and duplicate.merged_into == target
    task = tasks_of(duplicate).get()
    assert task.status == TaskStatus.CANCELLED
    cancel = task.updates.get(kind=UpdateKind.CANCELLED)
    assert f"Duplicate of #{target.pk}" in cancel.text and "同一问题" in cancel.text
    assert duplicate.responses.get().text == "正在协调"
    assert kinds(duplicate)[-2:] == [EventKind.UNIT_CANCELLED, EventKind.MERGED]
    assert kinds(target)[-1] == EventKind.ABSORBED
    # The duplicate's raiser can follow the problem it was merged into.
    assert Problem.objects.visible_to(world.responsible_user).filter(pk=target.pk).exists()


def test_merge_refusals(world, raise_problem, closed):
    problem = raise_problem()
    foreign_office = world.outsider

    assert "into itself" in refused(
        services.problem_merge, problem, user=world.office, into=problem
    )
    assert "the one chosen is Closed" in refused(
        services.problem_merge, problem, user=world.office, into=closed
    )
    assert "Only an open problem" in refused(
        services.problem_merge, closed, user=world.office, into=problem
    )
    with pytest.raises(PermissionDenied):
        services.problem_merge(problem, user=world.owner_user, into=closed)
    with pytest.raises(PermissionDenied):
        services.problem_merge(problem, user=foreign_office, into=closed)
    assert fresh(problem).status == ProblemStatus.RAISED


def test_problems_of_different_jurisdictions_are_not_merged(world, raise_problem):
    other_office = UserFactory(username="city_office", jurisdiction=world.city)
    problem = raise_problem()
    foreign_owner = world.foreign_project.owner_unit
    foreign_user = UserFactory(
        username="jb_owner", role="unit_user", jurisdiction=world.other_district, unit=foreign_owner
    )
    foreign = raise_problem(user=foreign_user, project=world.foreign_project)

    message = refused(services.problem_merge, problem, user=other_office, into=foreign)
    assert "different jurisdictions" in message


# -- deadline change --------------------------------------------------------------------------


def test_the_office_moves_the_deadline_of_the_problem_and_its_open_tasks(world, assigned):
    new = timezone.localdate() + dt.timedelta(days=30)

    services.problem_set_deadline(assigned, user=world.office, deadline=new, reason="方案调整")

    assert fresh(assigned).deadline == new
    assert tasks_of(assigned).get().deadline == new
    assert kinds(assigned)[-1] == EventKind.DEADLINE


def test_deadline_change_refusals(world, assigned, raise_problem):
    today = timezone.localdate()
    assert "Say why" in refused(
        services.problem_set_deadline, assigned, user=world.office, deadline=today, reason=""
    )
    assert "already passed" in refused(
        services.problem_set_deadline, assigned, user=world.office,
        deadline=today - dt.timedelta(days=1), reason="x",
    )  # fmt: skip
    assert "already the deadline" in refused(
        services.problem_set_deadline, assigned, user=world.office, deadline=assigned.deadline,
        reason="x",
    )  # fmt: skip
    assert "Only a problem in progress" in refused(
        services.problem_set_deadline, raise_problem(), user=world.office, deadline=today,
        reason="x",
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.problem_set_deadline(assigned, user=world.owner_user, deadline=today, reason="x")


# -- deleting a source ------------------------------------------------------------------------


def test_deleting_a_problem_keeps_its_tasks_marked(world, assigned):
    task = tasks_of(assigned).get()

    assigned.delete()

    task.refresh_from_db()
    assert task.source_removed_at is not None and task.status == TaskStatus.OPEN
    assert task.updates.filter(kind=UpdateKind.SOURCE_REMOVED).exists()
    assert Notification.objects.filter(
        user=world.responsible_user, kind="task_source_removed"
    ).exists()


def test_deleting_the_project_never_orphans_the_problems_tasks_silently(world, assigned):
    task = tasks_of(assigned).get()

    world.project.delete()

    assert not Problem.objects.exists()
    task.refresh_from_db()
    assert task.source_removed_at is not None and task.project is None
