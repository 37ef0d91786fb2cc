"""Re-evaluating the rules when the figures they read change.

A save only notes which project (or task) changed and which kinds of rule read it; once the
transaction commits, the noted projects are evaluated together, set-wise. A bulk path that
saves row by row inside one transaction therefore costs one evaluation. The bulk writers that
bypass the model signals (the ledger import, the monthly grid, the rebuild of lights) note
what they changed with `note_projects`; past `WORKER_LIMIT` projects the evaluation is left
to the task worker, so that a page importing a large ledger does not wait for it.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .choices import AlertKind

log = logging.getLogger(__name__)
ALL_KINDS = tuple(AlertKind.values)
SCHEDULE_KINDS = (AlertKind.MILESTONE_SLIP, AlertKind.NEGATIVE_FLOAT)
# Past this many changed projects, the worker evaluates them once the transaction commits.
WORKER_LIMIT = 500


@dataclass
class Pending:
    projects: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    schedules: set[int] = field(default_factory=set)
    contracts: set[int] = field(default_factory=set)
    tasks: set[int] = field(default_factory=set)
    lights: set[int] = field(default_factory=set)  # projects whose light is to be rebuilt first

    def __bool__(self) -> bool:
        return bool(self.projects or self.schedules or self.contracts or self.tasks)

    def size(self) -> int:
        projects = set().union(*self.projects.values())
        return len(projects) + len(self.schedules) + len(self.contracts) + len(self.tasks)


class Batch:
    """The changes of one transaction, evaluated together once it commits."""

    def __init__(self) -> None:
        self.pending = Pending()
        self.done = False

    def __call__(self) -> None:
        self.done = True
        pending, self.pending = self.pending, Pending()
        if not pending:
            return
        if pending.size() > WORKER_LIMIT:
            from .tasks import reevaluate_alerts

            # Kinds noted for the same projects travel once: an import notes every kind.
            groups: dict[frozenset[int], list[str]] = defaultdict(list)
            for kind, ids in pending.projects.items():
                groups[frozenset(ids)].append(str(kind))
            reevaluate_alerts.enqueue(
                projects=[(kinds, sorted(ids)) for ids, kinds in groups.items()],
                schedules=sorted(pending.schedules),
                contracts=sorted(pending.contracts),
                tasks=sorted(pending.tasks),
                lights=sorted(pending.lights),
            )
            return
        from .services import alerts_reevaluate

        alerts_reevaluate(
            projects=pending.projects,
            schedules=pending.schedules,
            contracts=pending.contracts,
            tasks=pending.tasks,
            lights=pending.lights,
        )


class _State(threading.local):
    def __init__(self) -> None:
        self.paused = 0
        self.batch: Batch | None = None
        self.hooks: Any = None  # the transaction's list of commit hooks the batch is in


_state = _State()


@contextmanager
def paused() -> Iterator[None]:
    """Note no changes inside the block (the evaluation's own writes, a bulk job that runs
    the evaluation itself afterwards)."""
    _state.paused += 1
    try:
        yield
    finally:
        _state.paused -= 1


def _noting(add: Callable[[Pending], None]) -> None:
    """Note a change in the current transaction's batch (made and hooked to the commit the
    first time), or, outside a transaction, evaluate it at once."""
    if _state.paused:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        now = Batch()
        add(now.pending)
        try:
            now()
        except Exception:
            log.exception("evaluating the alert rules after a change failed")
        return
    # Django gives a transaction a fresh list of commit hooks when it commits or rolls back:
    # the batch belongs to this transaction while its hooks are still the same list.
    batch = _state.batch
    if batch is None or batch.done or _state.hooks is not connection.run_on_commit:
        batch = Batch()
        transaction.on_commit(batch, robust=True)
        _state.batch, _state.hooks = batch, connection.run_on_commit
    add(batch.pending)


def note_project(project_id: int | None, kinds: tuple[str, ...]) -> None:
    if not project_id:
        return

    def add(pending: Pending) -> None:
        for kind in kinds:
            pending.projects[kind].add(project_id)

    _noting(add)


def note_projects(
    project_ids: Iterable[int], kinds: tuple[str, ...] = ALL_KINDS, *, lights: bool = False
) -> None:
    """Note projects that a bulk writer changed without the model signals; with `lights`,
    their figures changed, so their light is rebuilt before the rules read it."""
    ids = {pk for pk in project_ids if pk}
    if not ids:
        return

    def add(pending: Pending) -> None:
        for kind in kinds:
            pending.projects[kind].update(ids)
        if lights:
            pending.lights.update(ids)

    _noting(add)


# What each part of a project that a bulk writer changes means for the rules.
_PART_KINDS: dict[str, tuple[str, ...]] = {
    "project": ALL_KINDS,
    "plan": (AlertKind.PACE_LAG,),
    "report": (AlertKind.REPORT_LATE, AlertKind.PACE_LAG),
    "light": (AlertKind.PACE_LAG,),
}


def _on_projects_changed(
    sender: Any, project_ids: set[int], parts: tuple[str, ...], **kw: Any
) -> None:
    kinds = tuple(dict.fromkeys(kind for part in parts for kind in _PART_KINDS.get(part, ())))
    note_projects(project_ids, kinds, lights="plan" in parts or "report" in parts)


def _note(which: str, pk: int | None) -> None:
    if pk:
        _noting(lambda pending: getattr(pending, which).add(pk))


def forget() -> None:
    """Drop the current batch: the next change starts a new one (tests start a transaction
    of their own inside the one a test runs in)."""
    _state.batch, _state.hooks = None, None


# -- receivers --------------------------------------------------------------------------------


def _project_kinds(kinds: tuple[str, ...]) -> Any:
    def receiver(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
        if not raw:
            note_project(getattr(instance, "project_id", None), kinds)

    return receiver


def _on_project(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if not raw:
        note_project(instance.pk, ALL_KINDS)


def _on_schedule(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if not raw:
        note_project(instance.project_id, SCHEDULE_KINDS)


def _on_schedule_part(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if not raw:
        _note("schedules", instance.schedule_id)


def _on_contract_part(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if not raw:
        _note("contracts", instance.contract_id)


def _on_task(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    if instance.project_id:
        note_project(instance.project_id, (AlertKind.TASK_OVERDUE,))
    else:
        _note("tasks", instance.pk)


def connect() -> None:
    """Called once the apps are ready."""
    from django.apps import apps

    from keyprojects.projects.signals import projects_changed

    from .rules import HAZARD_MODEL, PROBLEM_MODEL, _model

    receivers: list[tuple[str, Any]] = [
        ("progress.MonthlyLight", _project_kinds((AlertKind.PACE_LAG,))),
        ("progress.MonthlyReport", _project_kinds((AlertKind.REPORT_LATE,))),
        ("projects.Project", _on_project),
        ("scheduling.ProjectSchedule", _on_schedule),
        ("scheduling.Activity", _on_schedule_part),
        ("scheduling.Baseline", _on_schedule_part),
        ("supervision.Task", _on_task),
        ("money.Estimate", _project_kinds((AlertKind.OVER_ESTIMATE,))),
        ("money.Contract", _project_kinds((AlertKind.OVER_ESTIMATE,))),
        ("money.Variation", _on_contract_part),
        ("money.Payment", _on_contract_part),
    ]
    for path, kind in ((PROBLEM_MODEL, AlertKind.PROBLEM_OVERDUE),
                       (HAZARD_MODEL, AlertKind.HAZARD_OVERDUE)):  # fmt: skip
        model = _model(path)
        if model is not None:
            receivers.append((model._meta.label, _project_kinds((kind,))))
    for label, receiver in receivers:
        model = apps.get_model(label)
        uid = f"alerts-{label}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
    projects_changed.connect(_on_projects_changed, dispatch_uid="alerts-bulk", weak=False)
