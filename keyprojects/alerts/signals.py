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
from collections.abc import Iterator
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


class _State(threading.local):
    def __init__(self) -> None:
        self.pending = Pending()
        self.paused = 0


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


def _arm() -> None:
    # One callback per change; the first to run takes everything noted, the others find
    # nothing. A rolled-back transaction drops its callbacks but leaves its notes, which a
    # later evaluation then re-checks: harmless, since evaluating is idempotent.
    transaction.on_commit(flush, robust=True)


def note_project(project_id: int | None, kinds: tuple[str, ...]) -> None:
    if _state.paused or not project_id:
        return
    for kind in kinds:
        _state.pending.projects[kind].add(project_id)
    _arm()


def _note(target: set[int], pk: int | None) -> None:
    if _state.paused or not pk:
        return
    target.add(pk)
    _arm()


def flush() -> None:
    """Evaluate what was noted; called once the changes are committed."""
    pending, _state.pending = _state.pending, Pending()
    if not pending:
        return
    from .services import alerts_reevaluate

    alerts_reevaluate(
        projects=pending.projects,
        schedules=pending.schedules,
        contracts=pending.contracts,
        tasks=pending.tasks,
    )


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
        _note(_state.pending.schedules, instance.schedule_id)


def _on_contract_part(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if not raw:
        _note(_state.pending.contracts, instance.contract_id)


def _on_task(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    if instance.project_id:
        note_project(instance.project_id, (AlertKind.TASK_OVERDUE,))
    else:
        _note(_state.pending.tasks, instance.pk)


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
