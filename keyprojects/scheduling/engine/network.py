"""The activity network in index form, ready for the passes.

Relations become tuples `(other, kind, lag, lag_calendar, from_actual)` in per-activity
lists (`preds[j]` holds predecessors of j, `succs[i]` successors of i); tuples keep the
passes fast on networks of 100,000 activities.
"""

from __future__ import annotations

from collections import deque

from .calendar import WorkCalendar, to_minute, twenty_four_hour_spec
from .errors import DependencyLoopError
from .model import (
    Activity,
    ActivityType,
    ConstraintType,
    LagCalendar,
    ProgressMode,
    RelationType,
    Schedule,
    ScheduleOptions,
)

# Relation kinds, numbered so that `kind < 2` means "into the successor's start" and
# `not kind & 1` means "from the predecessor's finish".
FS, SS, FF, SF = 0, 1, 2, 3
NOT_STARTED, STARTED, DONE = 0, 1, 2
TASK, START_MILESTONE, FINISH_MILESTONE = 0, 1, 2
_SHAPE = {
    ActivityType.START_MILESTONE: START_MILESTONE,
    ActivityType.FINISH_MILESTONE: FINISH_MILESTONE,
}

# (other activity, kind, lag minutes, lag calendar index, measured from actual start)
Link = tuple[int, int, int, int, bool]


class Network:
    """Index-form arrays of one scheduling run."""

    def __init__(self, schedule: Schedule, options: ScheduleOptions) -> None:
        self.schedule = schedule
        self.options = options
        acts = schedule.activities
        n = self.n = len(acts)
        self.ids = [a.id for a in acts]
        index = {a.id: i for i, a in enumerate(acts)}
        if len(index) != n:
            schedule.validate()  # names the duplicate
        around = schedule.data_date.date()
        self.cals: list[WorkCalendar] = []
        cal_index: dict[str, int] = {}
        for cal_id, spec in schedule.calendars.items():
            cal_index[cal_id] = len(self.cals)
            self.cals.append(WorkCalendar(spec, around))
        self.cal_24 = len(self.cals)
        self.cals.append(WorkCalendar(twenty_four_hour_spec(), around))
        default = schedule.default_calendar_id or ""
        self.default_cal = cal_index.get(default, 0)
        try:
            self.cal = [cal_index[a.calendar_id or default] for a in acts]
        except KeyError:
            schedule.validate()  # names the activity
            raise
        if any(a.original_duration < 0 or (a.remaining_duration or 0) < 0 for a in acts):
            schedule.validate()
        self.state = [
            DONE if a.is_complete else STARTED if a.actual_start is not None else NOT_STARTED
            for a in acts
        ]
        self.dur = [a.work_left for a in acts]
        # Level-of-effort activities span their neighbours and never drive them.
        self.loe = [a.type is ActivityType.LEVEL_OF_EFFORT for a in acts]
        self.shape = [_SHAPE.get(a.type, TASK) for a in acts]
        self.constrained = [
            a.constraint is not None
            or a.secondary_constraint is not None
            or a.external_early_start is not None
            or a.external_late_finish is not None
            or (options.use_expected_finish and a.expected_finish is not None)
            for a in acts
        ]
        self.alap = [
            a.constraint is not None and a.constraint.type is ConstraintType.AS_LATE_AS_POSSIBLE
            for a in acts
        ]
        # Under retained logic every relation holds, even into finished work: P6 passes
        # logic through a complete activity as if it were a milestone. Under progress
        # override a started or finished activity ignores its predecessors.
        retained = options.progress is ProgressMode.RETAINED_LOGIC
        self.logic = [retained or s == NOT_STARTED for s in self.state]
        self.preds: list[list[Link]] = [[] for _ in range(n)]
        self.succs: list[list[Link]] = [[] for _ in range(n)]
        self._link_all(acts, index)
        self.order = topological_order(n, self.preds, self.succs, self.ids)
        # Pass results: ordinals in the activity's calendar and absolute minutes, with
        # 1 where a date is shown where work resumes (start form), 0 where it stops.
        self.es = [0] * n
        self.ef = [0] * n
        self.es_abs = [0] * n
        self.ef_abs = [0] * n
        self.ls = [0] * n
        self.lf = [0] * n
        self.ls_abs = [0] * n
        self.lf_abs = [0] * n
        self.es_form = [1] * n
        self.ef_form = [0] * n
        self.ls_form = [1] * n
        self.lf_form = [0] * n

    def _link_all(self, acts: list[Activity], index: dict[str, int]) -> None:
        lag_mode = self.options.lag_calendar
        cal, state = self.cal, self.state
        preds, succs = self.preds, self.succs
        fixed_lag_cal = {
            LagCalendar.TWENTY_FOUR_HOUR: self.cal_24,
            LagCalendar.PROJECT_DEFAULT: self.default_cal,
        }.get(lag_mode)
        by_pred = lag_mode is LagCalendar.PREDECESSOR
        # Identity tests: hashing an enum member runs Python code, 250,000 times here.
        fs_t, ss_t, ff_t = (
            RelationType.FINISH_START,
            RelationType.START_START,
            RelationType.FINISH_FINISH,
        )
        try:
            for relation in self.schedule.relations:
                p = index[relation.predecessor_id]
                s = index[relation.successor_id]
                if p == s:
                    self.schedule.validate()  # names the activity related to itself
                if fixed_lag_cal is not None:
                    lag_cal = fixed_lag_cal
                else:
                    lag_cal = cal[p] if by_pred else cal[s]
                t = relation.type
                kind = FS if t is fs_t else SS if t is ss_t else FF if t is ff_t else SF
                lag = relation.lag
                if state[p] == NOT_STARTED:
                    preds[s].append((p, kind, lag, lag_cal, False))
                    succs[p].append((s, kind, lag, lag_cal, False))
                    continue
                from_actual = False
                if state[p] == DONE:
                    if lag != 0:
                        lag = self._lag_left(acts[p], kind, lag, lag_cal)
                elif kind in (SS, SF):
                    from_actual = self._start_lag_from_actual(acts[p], lag, lag_cal)
                    if not from_actual:
                        lag = 0
                preds[s].append((p, kind, lag, lag_cal, from_actual))
                succs[p].append((s, kind, lag, lag_cal, from_actual))
        except KeyError:
            self.schedule.validate()  # names the unknown activity
            raise

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


def topological_order(
    count: int, preds: list[list[Link]], succs: list[list[Link]], ids: list[str]
) -> list[int]:
    """Kahn's algorithm; ties keep input order so results are reproducible."""
    indegree = [len(p) for p in preds]
    queue = deque(i for i in range(count) if indegree[i] == 0)
    order: list[int] = []
    while queue:
        node = queue.popleft()
        order.append(node)
        for link in succs[node]:
            nxt = link[0]
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                queue.append(nxt)
    if len(order) != count:
        loop = [ids[i] for i in _find_loop(indegree, preds)]
        raise DependencyLoopError("The relations form a loop", activity_ids=loop)
    return order


def _find_loop(indegree: list[int], preds: list[list[Link]]) -> list[int]:
    remaining = {i for i, d in enumerate(indegree) if d > 0}
    path: list[int] = []
    position: dict[int, int] = {}
    node = min(remaining)
    while node not in position:
        position[node] = len(path)
        path.append(node)
        node = next(link[0] for link in preds[node] if link[0] in remaining)
    loop = path[position[node] :]
    loop.reverse()  # predecessors were followed, so reverse into flow order
    first = loop.index(min(loop))  # start from the earliest activity in input order
    loop = loop[first:] + loop[:first]
    return [*loop, loop[0]]
