"""Background work for alerts, run by the task worker (`keyprojects db_worker`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.jobs.models import Job
from keyprojects.jobs.runner import run_job


@task()
def make_alert_tasks() -> int:
    """Make the supervised task of every open alert that should have one: what an evaluation
    left for later, when it found more than it makes at once."""
    from .evaluation import make_tasks

    with acting(channel=Channel.TASK):
        return make_tasks(None, timezone.localdate(), everything=True)[0]


@task()
def reevaluate_alerts(
    projects: list[tuple[list[str], list[int]]],
    schedules: list[int],
    contracts: list[int],
    tasks: list[int],
    lights: list[int],
) -> dict[str, int]:
    """Evaluate what a large change (an imported ledger, a rebuild of lights) touched, after it
    committed: the same as is done at once for a small one."""
    from .services import alerts_reevaluate

    with acting(channel=Channel.TASK):
        outcome = alerts_reevaluate(
            projects={kind: set(ids) for kinds, ids in projects for kind in kinds},
            schedules=schedules,
            contracts=contracts,
            tasks=tasks,
            lights=lights,
        )
    return outcome.counts()


@task()
def evaluate_alerts(job_id: str) -> None:
    """Evaluate a jurisdiction's rules (some kinds, or all) for every project: a change of
    settings, or "evaluate now", in a district too large to do it while the page waits."""
    run_job(job_id, _evaluate)


def _evaluate(job: Job) -> dict[str, Any]:
    from .services import alerts_evaluate

    params = job.params
    outcome = alerts_evaluate(jurisdiction_id=params["jurisdiction_id"], kinds=params.get("kinds"))
    return outcome.counts()
