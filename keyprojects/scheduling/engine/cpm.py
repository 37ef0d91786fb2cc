"""Critical path method matching Primavera P6: the `schedule` entry point, floats and
paths. The passes themselves live in `passes`, the network arrays in `network`."""

from __future__ import annotations

import gc
import time
from datetime import datetime

from .calendar import from_minute, to_minute
from .errors import ModelError
from .model import CriticalDefinition, FloatType, Schedule, ScheduleOptions
from .network import DONE, STARTED, Network
from .passes import NEVER, backward, forward, shift
from .result import ActivityResult, ScheduleResult, ScheduleWarning, WarningCode
from .special import as_late_as_possible_pass, level_of_effort_pass


def _free_floats(net: Network, finish_abs: int) -> tuple[list[int], list[list[int]]]:
    """Free float of each activity in its calendar, and the successors each drives."""
    acts = net.schedule.activities
    cals, cal_of, es, ef = net.cals, net.cal, net.es, net.ef
    es_abs, ef_abs, loe, logic = net.es_abs, net.ef_abs, net.loe, net.logic
    free = [0] * net.n
    drives: list[list[int]] = [[] for _ in range(net.n)]
    for i in range(net.n):
        if net.state[i] == DONE:
            continue
        c = cal_of[i]
        cal = cals[c]
        best = NEVER
        driven = drives[i]
        for k, kind, lag, lag_cal, from_actual in net.succs[i]:
            if loe[i] or loe[k] or not logic[k]:
                continue
            to_start = kind < 2
            if cal_of[k] == c and (lag == 0 or lag_cal == c) and not from_actual:
                reach = (ef[i] if not kind & 1 else es[i]) + lag
                slack = (es[k] if to_start else ef[k]) - reach
                if slack == 0:
                    driven.append(k)
            else:
                if not kind & 1:
                    anchor_abs = ef_abs[i]
                elif from_actual:
                    anchor_abs = to_minute(acts[i].actual_start)  # type: ignore[arg-type]
                else:
                    anchor_abs = es_abs[i]
                reach_abs = anchor_abs if lag == 0 else shift(net, lag_cal, anchor_abs, lag, False)
                target = es_abs[k] if to_start else ef_abs[k]
                succ_cal = cals[cal_of[k]]
                if succ_cal.ordinal(target) == succ_cal.ordinal(reach_abs):
                    driven.append(k)
                slack = cal.ordinal(target) - cal.ordinal(reach_abs)
            if slack < best:
                best = slack
        if best == NEVER:
            best = cal.ordinal(finish_abs) - ef[i]
        free[i] = best
    return free, drives


def _longest_path(net: Network, drives: list[list[int]], finish_abs: int) -> list[bool]:
    """Walk back from the activities that finish last along driving relations."""
    driven_by: list[list[int]] = [[] for _ in range(net.n)]
    for i, targets in enumerate(drives):
        for k in targets:
            driven_by[k].append(i)
    on_path = [False] * net.n
    stack = [i for i in range(net.n) if net.state[i] != DONE and net.ef_abs[i] == finish_abs]
    for i in stack:
        on_path[i] = True
    while stack:
        node = stack.pop()
        for pred in driven_by[node]:
            if not on_path[pred] and net.state[pred] != DONE:
                on_path[pred] = True
                stack.append(pred)
    return on_path


def _warnings(net: Network, early_finish_abs: int) -> list[ScheduleWarning]:
    warnings: list[ScheduleWarning] = []
    live = [i for i in range(net.n) if net.state[i] != DONE]
    for i in live:
        if not net.preds[i]:
            warnings.append(
                ScheduleWarning(
                    WarningCode.NO_PREDECESSOR, "Activity has no predecessor", net.ids[i]
                )
            )
    for i in live:
        if not net.succs[i]:
            warnings.append(
                ScheduleWarning(WarningCode.NO_SUCCESSOR, "Activity has no successor", net.ids[i])
            )
    deadline = net.schedule.deadline
    if deadline is not None and early_finish_abs > to_minute(deadline):
        warnings.append(
            ScheduleWarning(WarningCode.DEADLINE_MISSED, "The schedule finishes after the deadline")
        )
    return warnings


def schedule(
    model: Schedule,
    options: ScheduleOptions | None = None,
    *,
    timings: dict[str, float] | None = None,
) -> ScheduleResult:
    """Schedule `model` from its data date: early and late dates, floats, critical and
    longest path, and warnings for open ends and a missed deadline.

    With a deadline (`model.deadline`, P6's must-finish-by date) the late dates are
    worked back from it, so they say when each activity must start and finish to meet
    it (backward scheduling); float turns negative where it cannot be met.
    Raises `DependencyLoopError` when the relations form a loop. When `timings` is
    given, the seconds spent in each phase are stored in it.
    """
    # The passes allocate millions of small objects and no reference cycles; pausing the
    # cyclic garbage collector meanwhile makes them several times faster.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _schedule(model, options or model.options, timings if timings is not None else {})
    finally:
        if paused:
            gc.enable()


def _schedule(model: Schedule, opts: ScheduleOptions, timings: dict[str, float]) -> ScheduleResult:
    began = time.perf_counter()
    net = Network(model, opts)
    timings["network"] = time.perf_counter() - began
    if net.n == 0:
        raise ModelError("The schedule has no activities")
    forward(net)
    early_finish_abs = max(net.ef_abs)
    deadline = model.deadline
    finish_abs = to_minute(deadline) if deadline is not None else early_finish_abs
    backward(net, finish_abs)
    level_of_effort_pass(net)
    unshifted = as_late_as_possible_pass(net)
    free, drives = _free_floats(net, finish_abs)
    on_path = _longest_path(net, drives, early_finish_abs)
    timings["passes_and_floats"] = time.perf_counter() - began - timings["network"]

    moments: dict[int, datetime] = {}
    for minutes in (net.es_abs, net.ef_abs, net.ls_abs, net.lf_abs):
        for minute in minutes:
            if minute not in moments:
                moments[minute] = from_minute(minute)

    threshold = round(opts.critical_float_hours * 60)
    by_path = opts.critical is CriticalDefinition.LONGEST_PATH
    float_type = opts.float_type
    results: dict[str, ActivityResult] = {}
    driving: set[tuple[str, str]] = set()
    ids = net.ids
    state, es, ef, ls, lf = net.state, net.es, net.ef, net.ls, net.lf
    hours = [cal.hours_per_day for cal in net.cals]
    for i, act in enumerate(model.activities):
        done = state[i] == DONE
        es_i, ef_i = unshifted.get(i, (es[i], ef[i])) if unshifted else (es[i], ef[i])
        if float_type is FloatType.FINISH:
            total = lf[i] - ef_i
        elif float_type is FloatType.START:
            total = ls[i] - es_i
        else:
            total = min(lf[i] - ef_i, ls[i] - es_i)
        for k in drives[i]:
            driving.add((act.id, ids[k]))
        results[act.id] = ActivityResult(
            act.id,
            act.code,
            moments[net.es_abs[i]],
            moments[net.ef_abs[i]],
            moments[net.ls_abs[i]],
            moments[net.lf_abs[i]],
            0 if done else total,
            free[i],
            hours[net.cal[i]],
            not done and (on_path[i] if by_path else total <= threshold),
            on_path[i],
            done,
            state[i] == STARTED,
            act.actual_start,
            act.actual_finish,
        )
    timings["results"] = (
        time.perf_counter() - began - timings["network"] - timings["passes_and_floats"]
    )
    return ScheduleResult(
        schedule_id=model.id,
        data_date=model.data_date,
        project_finish=from_minute(early_finish_abs),
        deadline=deadline,
        activities=results,
        order=[ids[i] for i in net.order],
        driving_relations=driving,
        warnings=_warnings(net, early_finish_abs),
    )
