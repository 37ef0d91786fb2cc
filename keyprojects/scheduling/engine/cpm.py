"""Critical path method, matching Primavera P6's conventions.

Each activity's dates are held as *ordinals* (working minutes, see `calendar`) in its
own calendar, plus the matching absolute minute. A relation between activities on the
same calendar, with its lag on that calendar too, is plain integer arithmetic; any other
relation passes through absolute time.
"""

from __future__ import annotations

from dataclasses import dataclass

from .calendar import WorkCalendar, from_minute, to_minute, twenty_four_hour_spec
from .errors import ModelError
from .model import (
    Activity,
    ActivityType,
    ConstraintType,
    CriticalDefinition,
    FloatType,
    LagCalendar,
    ProgressMode,
    RelationType,
    Schedule,
    ScheduleOptions,
)
from .network import open_ends, topological_order
from .result import ActivityResult, ScheduleResult, ScheduleWarning, WarningCode
from .special import as_late_as_possible_pass, level_of_effort_pass

FS, SS, FF, SF = 0, 1, 2, 3
_KIND = {
    RelationType.FINISH_START: FS,
    RelationType.START_START: SS,
    RelationType.FINISH_FINISH: FF,
    RelationType.START_FINISH: SF,
}
_NEVER = 1 << 62

# Activity states
NOT_STARTED, STARTED, DONE = 0, 1, 2


@dataclass(slots=True)
class _Link:
    other: int  # predecessor index in `preds`, successor index in `succs`
    kind: int
    lag: int
    lag_cal: int  # index into the calendar list
    from_actual: bool = False  # a start link measured from the predecessor's actual start


class _Net:
    """Index-form arrays of one scheduling run."""

    def __init__(self, schedule: Schedule, options: ScheduleOptions) -> None:
        schedule.validate()
        self.schedule = schedule
        self.options = options
        acts = schedule.activities
        self.n = len(acts)
        self.ids = [a.id for a in acts]
        index = {a.id: i for i, a in enumerate(acts)}
        around = schedule.data_date.date()
        self.cals: list[WorkCalendar] = []
        cal_index: dict[str, int] = {}
        for cal_id, spec in schedule.calendars.items():
            cal_index[cal_id] = len(self.cals)
            self.cals.append(WorkCalendar(spec, around))
        self.cal_24 = len(self.cals)
        self.cals.append(WorkCalendar(twenty_four_hour_spec(), around))
        default = schedule.default_calendar_id
        self.default_cal = cal_index.get(default, 0)
        self.cal = [cal_index[a.calendar_id or default or ""] for a in acts]
        self.state = [
            DONE if a.is_complete else STARTED if a.actual_start is not None else NOT_STARTED
            for a in acts
        ]
        self.dur = [a.work_left for a in acts]
        # Level-of-effort activities span their neighbours and never drive them.
        self.loe = [a.type is ActivityType.LEVEL_OF_EFFORT for a in acts]
        self.alap = [
            a.constraint is not None and a.constraint.type is ConstraintType.AS_LATE_AS_POSSIBLE
            for a in acts
        ]
        self.preds: list[list[_Link]] = [[] for _ in range(self.n)]
        self.succs: list[list[_Link]] = [[] for _ in range(self.n)]
        lag_mode = options.lag_calendar
        for relation in schedule.relations:
            p, s = index[relation.predecessor_id], index[relation.successor_id]
            if lag_mode is LagCalendar.PREDECESSOR:
                lag_cal = self.cal[p]
            elif lag_mode is LagCalendar.SUCCESSOR:
                lag_cal = self.cal[s]
            elif lag_mode is LagCalendar.TWENTY_FOUR_HOUR:
                lag_cal = self.cal_24
            else:
                lag_cal = self.default_cal
            kind = _KIND[relation.type]
            lag = relation.lag
            from_actual = False
            if self.state[p] == DONE:
                if lag != 0:
                    lag = self._lag_left(acts[p], kind, lag, lag_cal)
            elif self.state[p] == STARTED and kind in (SS, SF):
                from_actual = self._start_lag_from_actual(acts[p], lag, lag_cal)
                if not from_actual:
                    lag = 0
            self.preds[s].append(_Link(p, kind, lag, lag_cal, from_actual))
            self.succs[p].append(_Link(s, kind, lag, lag_cal, from_actual))
        self.order = topological_order(
            self.n,
            [[link.other for link in links] for links in self.preds],
            [[link.other for link in links] for links in self.succs],
            self.ids,
        )
        # Forward-pass results: ordinals in the activity's calendar and absolute minutes.
        self.es = [0] * self.n
        self.ef = [0] * self.n
        self.es_abs = [0] * self.n
        self.ef_abs = [0] * self.n
        self.ls = [0] * self.n
        self.lf = [0] * self.n
        self.ls_abs = [0] * self.n
        self.lf_abs = [0] * self.n
        # 1 where the date is shown where work resumes (start form), 0 where it stops.
        self.es_form = [1] * self.n
        self.ef_form = [0] * self.n
        self.ls_form = [1] * self.n
        self.lf_form = [0] * self.n

    def _lag_left(self, pred: Activity, kind: int, lag: int, lag_cal: int) -> int:
        """The part of a lag after a finished predecessor still to run at the data date."""
        if lag < 0:
            return 0
        anchor = pred.actual_finish if kind in (FS, FF) else pred.actual_start
        assert anchor is not None
        cal = self.cals[lag_cal]
        elapsed = cal.ordinal(to_minute(self.schedule.data_date)) - cal.ordinal(to_minute(anchor))
        return max(0, lag - max(0, elapsed))

    def _start_lag_from_actual(self, pred: Activity, lag: int, lag_cal: int) -> bool:
        """Whether a start link from a started predecessor runs from its actual start.

        It does when that still reaches past the data date; otherwise (and when the
        option says early start) it runs, without lag, from the remaining early start.
        """
        if not self.options.ss_lag_from_early_start:
            return True
        assert pred.actual_start is not None
        cal = self.cals[lag_cal]
        reach = cal.ordinal(to_minute(pred.actual_start)) + lag
        return reach > cal.ordinal(to_minute(self.schedule.data_date))

    def logic_applies(self, succ: int) -> bool:
        """Under retained logic every relation holds, even into finished work: P6 passes
        logic through a complete activity as if it were a milestone. Under progress
        override a started or finished activity ignores its predecessors."""
        if self.state[succ] == NOT_STARTED:
            return True
        return self.options.progress is ProgressMode.RETAINED_LOGIC


def _shift(net: _Net, link_cal: int, anchor_abs: int, lag: int, backward: bool) -> int:
    """Absolute minute `lag` working minutes after (before, when backward) `anchor_abs`."""
    cal = net.cals[link_cal]
    work = cal.ordinal(anchor_abs) + (-lag if backward else lag)
    return cal.start_at(work) if backward else cal.finish_at(work)


def _candidate(
    net: _Net, c: int, link: _Link, anchor: int, anchor_abs: int, form: int, back: bool
) -> int:
    """A relation's bound on the other activity, as a key: ordinal * 2 + start-form flag.

    Keys order like P6's datetimes: for one ordinal the start form is the later moment.
    """
    lag = link.lag
    if lag == 0:
        same = net.cal[link.other] == c
        return (anchor if same else net.cals[c].ordinal(anchor_abs)) * 2 + form
    if link.lag_cal == c and net.cal[link.other] == c:
        value = anchor - lag if back else anchor + lag
    else:
        value = net.cals[c].ordinal(_shift(net, link.lag_cal, anchor_abs, lag, back))
    # Adding working time ends at a finish; taking it away lands on a start.
    adds = (lag < 0) if back else (lag > 0)
    return value * 2 + (0 if adds else 1)


def _forward(net: _Net) -> None:
    acts = net.schedule.activities
    cals = net.cals
    data_minute = to_minute(net.schedule.data_date)
    start = net.schedule.start
    start_minute = max(data_minute, to_minute(start)) if start is not None else data_minute
    floor_cache = [cal.ordinal(start_minute) * 2 + 1 for cal in cals]
    es, ef, es_abs, ef_abs = net.es, net.ef, net.es_abs, net.ef_abs
    es_form, ef_form = net.es_form, net.ef_form
    for j in net.order:
        act = acts[j]
        c = net.cal[j]
        cal = cals[c]
        state = net.state[j]
        s_key = floor_cache[c]
        f_key = -_NEVER
        if net.logic_applies(j):
            for link in net.preds[j]:
                i = link.other
                if net.loe[i]:
                    continue
                kind = link.kind
                if kind in (FS, FF):
                    anchor, anchor_abs, form = ef[i], ef_abs[i], ef_form[i]
                elif not link.from_actual:
                    anchor, anchor_abs, form = es[i], es_abs[i], es_form[i]
                else:
                    anchor_abs = to_minute(acts[i].actual_start)  # type: ignore[arg-type]
                    anchor, form = cals[net.cal[i]].ordinal(anchor_abs), 1
                if link.lag == 0 and net.cal[i] == c:
                    key = anchor * 2 + form
                else:
                    key = _candidate(net, c, link, anchor, anchor_abs, form, False)
                if kind in (FS, SS):
                    if key > s_key:
                        s_key = key
                elif key > f_key:
                    f_key = key
        dur = net.dur[j]
        forced: int | None = None
        forced_is_finish = False
        if state == NOT_STARTED:
            for constraint in (act.constraint, act.secondary_constraint):
                if constraint is None or constraint.date is None:
                    continue
                kind_c = constraint.type
                when = cal.ordinal(to_minute(constraint.date))
                if kind_c in (ConstraintType.START_ON_OR_AFTER, ConstraintType.START_ON):
                    s_key = max(s_key, when * 2 + 1)
                elif kind_c in (ConstraintType.FINISH_ON_OR_AFTER, ConstraintType.FINISH_ON):
                    f_key = max(f_key, when * 2)
                elif kind_c is ConstraintType.MANDATORY_START:
                    forced = when * 2 + 1
                elif kind_c is ConstraintType.MANDATORY_FINISH:
                    forced, forced_is_finish = when * 2, True
        if forced is not None:
            if forced_is_finish:
                f_key = forced
            else:
                s_key, f_key = forced, -_NEVER
        es_j = s_key >> 1
        if dur > 0:
            by_duration = (es_j + dur) * 2
        elif state == DONE or act.type is ActivityType.FINISH_MILESTONE:
            by_duration = s_key
        else:
            by_duration = es_j * 2 + 1  # a zero-length task starts, and ends, when work resumes
        if forced is not None and forced_is_finish:
            by_duration = -_NEVER
        if by_duration > f_key:
            f_key = by_duration
        ef_j = f_key >> 1
        es_j = ef_j - dur
        es[j], ef[j] = es_j, ef_j
        if state == DONE:
            key = max(s_key, f_key)
            es[j] = ef[j] = key >> 1
            es_form[j] = ef_form[j] = key & 1
            es_abs[j] = ef_abs[j] = cal.start_at(key >> 1) if key & 1 else cal.finish_at(key >> 1)
        elif act.type is ActivityType.FINISH_MILESTONE:
            ef_form[j] = es_form[j] = f_key & 1
            es_abs[j] = ef_abs[j] = cal.start_at(ef_j) if f_key & 1 else cal.finish_at(ef_j)
        else:
            es_form[j] = 1
            es_abs[j] = cal.start_at(es_j)
            ef_form[j] = f_key & 1
            ef_abs[j] = cal.start_at(ef_j) if f_key & 1 else cal.finish_at(ef_j)
            if act.type is ActivityType.START_MILESTONE:
                ef_abs[j], ef_form[j] = es_abs[j], 1


def _backward(net: _Net, finish_abs: int) -> None:
    acts = net.schedule.activities
    cals = net.cals
    ls, lf, ls_abs, lf_abs = net.ls, net.lf, net.ls_abs, net.lf_abs
    ls_form, lf_form = net.ls_form, net.lf_form
    for i in reversed(net.order):
        act = acts[i]
        c = net.cal[i]
        cal = cals[c]
        finish_key = cal.ordinal(finish_abs) * 2
        s_key = _NEVER
        f_key = finish_key
        for link in net.succs[i]:
            k = link.other
            if net.loe[k] or not net.logic_applies(k):
                continue
            kind = link.kind
            if kind in (FS, SS):
                anchor, anchor_abs, form = ls[k], ls_abs[k], ls_form[k]
            else:
                anchor, anchor_abs, form = lf[k], lf_abs[k], lf_form[k]
            if link.lag == 0 and net.cal[k] == c:
                key = anchor * 2 + form
            else:
                key = _candidate(net, c, link, anchor, anchor_abs, form, True)
            if kind in (FS, FF):
                if key < f_key:
                    f_key = key
            elif key < s_key:
                s_key = key
        dur = net.dur[i]
        started = net.state[i] != NOT_STARTED
        forced: int | None = None
        forced_is_finish = False
        for constraint in (act.constraint, act.secondary_constraint):
            if constraint is None or constraint.date is None:
                continue
            kind_c = constraint.type
            when = cal.ordinal(to_minute(constraint.date))
            if kind_c in (ConstraintType.FINISH_ON_OR_BEFORE, ConstraintType.FINISH_ON):
                f_key = min(f_key, when * 2)
            elif started:
                continue
            elif kind_c in (ConstraintType.START_ON_OR_BEFORE, ConstraintType.START_ON):
                s_key = min(s_key, when * 2 + 1)
            elif kind_c is ConstraintType.MANDATORY_START:
                forced = when * 2 + 1
            elif kind_c is ConstraintType.MANDATORY_FINISH:
                forced, forced_is_finish = when * 2, True
        if forced is not None:
            if forced_is_finish:
                f_key, s_key = forced, _NEVER
            else:
                s_key = forced
                f_key = _NEVER
        lf_i = f_key >> 1
        if dur > 0:
            by_duration = (lf_i - dur) * 2 + 1
        elif net.state[i] == DONE or act.type is ActivityType.START_MILESTONE:
            by_duration = f_key
        else:
            by_duration = lf_i * 2  # a zero-length task finishes, and starts, where work stops
        if forced is not None and not forced_is_finish:
            by_duration = _NEVER
        if by_duration < s_key:
            s_key = by_duration
        ls_i = s_key >> 1
        lf_i = ls_i + dur
        ls[i], lf[i] = ls_i, lf_i
        form = s_key & 1
        if net.state[i] == DONE:
            key = min(s_key, f_key)
            ls[i] = lf[i] = key >> 1
            ls_form[i] = lf_form[i] = key & 1
            ls_abs[i] = lf_abs[i] = cal.start_at(key >> 1) if key & 1 else cal.finish_at(key >> 1)
            continue
        if act.type is ActivityType.FINISH_MILESTONE:
            form = 0
        ls_form[i] = form
        ls_abs[i] = cal.start_at(ls_i) if form else cal.finish_at(ls_i)
        if dur == 0:
            lf_form[i], lf_abs[i] = form, ls_abs[i]
        else:
            lf_form[i], lf_abs[i] = 0, cal.finish_at(lf_i)


def _free_float(net: _Net, i: int, finish_abs: int) -> tuple[int, list[int]]:
    """Free float of activity i in its calendar, and the successors it drives."""
    cal = net.cals[net.cal[i]]
    acts = net.schedule.activities
    best = _NEVER
    driven: list[int] = []
    for link in net.succs[i]:
        k = link.other
        if net.loe[i] or net.loe[k] or not net.logic_applies(k):
            continue
        kind = link.kind
        if kind in (FS, FF):
            anchor_abs = net.ef_abs[i]
        elif link.from_actual:
            anchor_abs = to_minute(acts[i].actual_start)  # type: ignore[arg-type]
        else:
            anchor_abs = net.es_abs[i]
        reach = (
            anchor_abs if link.lag == 0 else _shift(net, link.lag_cal, anchor_abs, link.lag, False)
        )
        target = net.es_abs[k] if kind in (FS, SS) else net.ef_abs[k]
        succ_cal = net.cals[net.cal[k]]
        if succ_cal.ordinal(target) == succ_cal.ordinal(reach):
            driven.append(k)
        slack = cal.ordinal(target) - cal.ordinal(reach)
        best = min(best, slack)
    if best == _NEVER:
        best = cal.ordinal(finish_abs) - net.ef[i]
    return best, driven


def schedule(model: Schedule, options: ScheduleOptions | None = None) -> ScheduleResult:
    """Run the forward and backward passes and compute floats and paths."""
    opts = options or model.options
    net = _Net(model, opts)
    if net.n == 0:
        raise ModelError("The schedule has no activities")
    _forward(net)
    early_finish_abs = max(net.ef_abs)
    deadline = model.deadline
    finish_abs = to_minute(deadline) if deadline is not None else early_finish_abs
    _backward(net, finish_abs)
    level_of_effort_pass(net)
    as_late_as_possible_pass(net)

    results: dict[str, ActivityResult] = {}
    driving: set[tuple[str, str]] = set()
    drives: list[list[int]] = [[] for _ in range(net.n)]
    threshold = round(opts.critical_float_hours * 60)
    for i, act in enumerate(model.activities):
        cal = net.cals[net.cal[i]]
        done = net.state[i] == DONE
        finish_float = net.lf[i] - net.ef[i]
        start_float = net.ls[i] - net.es[i]
        if opts.float_type is FloatType.FINISH:
            total = finish_float
        elif opts.float_type is FloatType.START:
            total = start_float
        else:
            total = min(finish_float, start_float)
        free, driven = (0, []) if done else _free_float(net, i, finish_abs)
        drives[i] = driven
        for k in driven:
            driving.add((act.id, net.ids[k]))
        results[act.id] = ActivityResult(
            id=act.id,
            code=act.code,
            early_start=from_minute(net.es_abs[i]),
            early_finish=from_minute(net.ef_abs[i]),
            late_start=from_minute(net.ls_abs[i]),
            late_finish=from_minute(net.lf_abs[i]),
            total_float_minutes=0 if done else total,
            free_float_minutes=free,
            hours_per_day=cal.hours_per_day,
            critical=not done and total <= threshold,
            complete=done,
            in_progress=net.state[i] == STARTED,
            actual_start=act.actual_start,
            actual_finish=act.actual_finish,
        )
    _mark_longest_path(net, results, drives, early_finish_abs)
    if opts.critical is CriticalDefinition.LONGEST_PATH:
        for item in results.values():
            item.critical = item.longest_path

    warnings: list[ScheduleWarning] = []
    no_pred, no_succ = open_ends(model)
    for activity_id in no_pred:
        warnings.append(
            ScheduleWarning(WarningCode.NO_PREDECESSOR, "Activity has no predecessor", activity_id)
        )
    for activity_id in no_succ:
        warnings.append(
            ScheduleWarning(WarningCode.NO_SUCCESSOR, "Activity has no successor", activity_id)
        )
    if deadline is not None and early_finish_abs > to_minute(deadline):
        warnings.append(
            ScheduleWarning(WarningCode.DEADLINE_MISSED, "The schedule finishes after the deadline")
        )
    return ScheduleResult(
        schedule_id=model.id,
        data_date=model.data_date,
        project_finish=from_minute(early_finish_abs),
        deadline=deadline,
        activities=results,
        order=[net.ids[i] for i in net.order],
        driving_relations=driving,
        warnings=warnings,
    )


def _mark_longest_path(
    net: _Net, results: dict[str, ActivityResult], drives: list[list[int]], finish_abs: int
) -> None:
    """Walk back from the activities that finish last along driving relations."""
    driven_by: list[list[int]] = [[] for _ in range(net.n)]
    for i, targets in enumerate(drives):
        for k in targets:
            driven_by[k].append(i)
    stack = [i for i in range(net.n) if net.state[i] != DONE and net.ef_abs[i] == finish_abs]
    seen: set[int] = set(stack)
    while stack:
        node = stack.pop()
        results[net.ids[node]].longest_path = True
        for pred in driven_by[node]:
            if pred not in seen and net.state[pred] != DONE:
                seen.add(pred)
                stack.append(pred)
