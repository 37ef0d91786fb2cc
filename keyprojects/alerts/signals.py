"""Re-evaluating the rules when the figures they read change.

A save only notes which project (or task) changed and which kinds of rule read it; once the
transaction commits, the noted projects are evaluated together, set-wise. A bulk path that
saves row by row inside one transaction therefore costs one evaluation, and the bulk writers
that bypass signals (imports, the grid, the set-wise rebuilds) cost nothing here: the nightly
run picks up what they changed.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .choices import AlertKind

log = logging.getLogger(__name__)
ALL_KINDS = tuple(AlertKind.values)
SCHEDULE_KINDS = (AlertKind.MILESTONE_SLIP, AlertKind.NEGATIVE_FLOAT)


@dataclass
class Pending:
    projects: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    schedules: set[int] = field(default_factory=set)
    contracts: set[int] = field(default_factory=set)
    tasks: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.projects or self.schedules or self.contracts or self.tasks)


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
        from .services import alerts_reevaluate

        alerts_reevaluate(
            projects=pending.projects,
            schedules=pending.schedules,
            contracts=pending.contracts,
            tasks=pending.tasks,
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
