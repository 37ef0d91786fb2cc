"""The forward and backward passes, following Primavera P6's conventions.

Dates are held as *keys*: ordinal * 2 + 1 when shown in start form (where work resumes),
ordinal * 2 when in finish form (where work stops). Keys order exactly as P6's datetimes
do, so max and min pick P6's choice; a zero-length link keeps the form of its anchor
(an SF link from an 08:00 start gives a finish at 08:00, as P6 shows).
"""

from __future__ import annotations

from .calendar import WorkCalendar, to_minute
from .errors import CalendarCoverageError
from .model import ConstraintType
from .network import DONE, FINISH_MILESTONE, NOT_STARTED, START_MILESTONE, Network

NEVER = 1 << 62
_START_CONSTRAINTS = (ConstraintType.START_ON_OR_AFTER, ConstraintType.START_ON)
_FINISH_CONSTRAINTS = (ConstraintType.FINISH_ON_OR_AFTER, ConstraintType.FINISH_ON)
_LATE_FINISH = (ConstraintType.FINISH_ON_OR_BEFORE, ConstraintType.FINISH_ON)
_LATE_START = (ConstraintType.START_ON_OR_BEFORE, ConstraintType.START_ON)


def shift(net: Network, lag_cal: int, anchor_abs: int, lag: int, backward: bool) -> int:
    """Absolute minute `lag` working minutes after (before, when backward) `anchor_abs`."""
    cal = net.cals[lag_cal]
    work = cal.ordinal(anchor_abs) + (-lag if backward else lag)
    return cal.start_at(work) if backward else cal.finish_at(work)


def candidate(
    net: Network,
    c: int,
    other: int,
    lag: int,
    lag_cal: int,
    anchor: int,
    anchor_abs: int,
    form: int,
    back: bool,
) -> int:
    """A relation's bound, as a key in calendar `c`, from the other end's date."""
    if lag == 0 and net.cal[other] == c:
        return anchor * 2 + form
    if lag != 0 and lag_cal == c and net.cal[other] == c:
        # Adding working time ends at a finish; taking it away lands on a start.
        adds = (lag < 0) if back else (lag > 0)
        return (anchor - lag if back else anchor + lag) * 2 + (0 if adds else 1)
    if lag != 0:
        adds = (lag < 0) if back else (lag > 0)
        form = 0 if adds else 1
        anchor_abs = shift(net, lag_cal, anchor_abs, lag, back)
    cal = net.cals[c]
    value = cal.ordinal(anchor_abs)
    # A moment in this calendar's non-working time is rounded the way that keeps the
    # bound: up to where work resumes going forward, down to where it stopped backward.
    if back:
        if _resumes_after(cal, value, anchor_abs):
            form = 0
    elif anchor_abs > cal.finish_at(value):
        form = 1
    return value * 2 + form


def _resumes_after(cal: WorkCalendar, value: int, moment: int) -> bool:
    """Whether work `value` resumes after `moment`. Work that resumes only beyond the years
    a holiday calendar covers resumes after any moment inside them: a deadline on the last
    working day of the data is usable, while dates beyond it are still refused."""
    try:
        return moment < cal.start_at(value)
    except CalendarCoverageError:
        return True


def _bound_key(cal: WorkCalendar, moment: int) -> int:
    """An upper bound at `moment` as a key: where work stopped if the moment falls in
    non-working time, else the moment itself."""
    value = cal.ordinal(moment)
    return value * 2 + (0 if _resumes_after(cal, value, moment) else 1)


def forward(net: Network) -> None:
    acts = net.schedule.activities
    cals = net.cals
    data_minute = to_minute(net.schedule.data_date)
    start = net.schedule.start
    start_minute = max(data_minute, to_minute(start)) if start is not None else data_minute
    floor_cache = [cal.ordinal(start_minute) * 2 + 1 for cal in cals]
    es, ef, es_abs, ef_abs = net.es, net.ef, net.es_abs, net.ef_abs
    es_form, ef_form = net.es_form, net.ef_form
    cal_of, loe, logic, dur_of, state_of = net.cal, net.loe, net.logic, net.dur, net.state
    preds, shape_of, constrained = net.preds, net.shape, net.constrained
    for j in net.order:
        c = cal_of[j]
        cal = cals[c]
        state = state_of[j]
        s_key = floor_cache[c]
        f_key = -NEVER
        if logic[j]:
            for i, kind, lag, lag_cal, from_actual in preds[j]:
                if loe[i]:
                    continue
                if not kind & 1:
                    anchor, anchor_abs, form = ef[i], ef_abs[i], ef_form[i]
                elif not from_actual:
                    anchor, anchor_abs, form = es[i], es_abs[i], es_form[i]
                else:
                    anchor_abs = to_minute(acts[i].actual_start)  # type: ignore[arg-type]
                    anchor, form = cals[cal_of[i]].ordinal(anchor_abs), 1
                if lag == 0 and cal_of[i] == c:
                    key = anchor * 2 + form
                else:
                    key = candidate(net, c, i, lag, lag_cal, anchor, anchor_abs, form, False)
                if kind < 2:
                    if key > s_key:
                        s_key = key
                elif key > f_key:
                    f_key = key
        dur = dur_of[j]
        forced: int | None = None
        forced_is_finish = False
        if constrained[j] and state != DONE:
            act = acts[j]
            if act.external_early_start is not None:
                s_key = max(s_key, cal.ordinal(to_minute(act.external_early_start)) * 2 + 1)
            if act.expected_finish is not None and net.options.use_expected_finish:
                # The remaining work is stretched or squeezed to end on the promised date.
                end = cal.ordinal(to_minute(act.expected_finish))
                dur = dur_of[j] = max(0, end - (s_key >> 1))
        if state == NOT_STARTED and constrained[j]:
            act = acts[j]
            for constraint in (act.constraint, act.secondary_constraint):
                if constraint is None or constraint.date is None:
                    continue
                kind_c = constraint.type
                when = cal.ordinal(to_minute(constraint.date))
                if kind_c in _START_CONSTRAINTS:
                    s_key = max(s_key, when * 2 + 1)
                elif kind_c in _FINISH_CONSTRAINTS:
                    f_key = max(f_key, when * 2)
                elif kind_c is ConstraintType.MANDATORY_START:
                    forced = when * 2 + 1
                elif kind_c is ConstraintType.MANDATORY_FINISH:
                    forced, forced_is_finish = when * 2, True
        if forced is not None:
            if forced_is_finish:
                f_key = forced
            else:
                s_key, f_key = forced, -NEVER
        es_j = s_key >> 1
        if forced is not None and forced_is_finish:
            by_duration = -NEVER
        elif dur > 0:
            by_duration = (es_j + dur) * 2
        elif state == DONE or shape_of[j] == FINISH_MILESTONE:
            by_duration = s_key
        else:
            by_duration = es_j * 2 + 1  # a zero-length task starts, and ends, when work resumes
        if by_duration > f_key:
            f_key = by_duration
        ef_j = f_key >> 1
        es_j = ef_j - dur
        if state == DONE:
            key = s_key if s_key > f_key else f_key
            es[j] = ef[j] = key >> 1
            es_form[j] = ef_form[j] = key & 1
            if key == floor_cache[c]:
                es_abs[j] = ef_abs[j] = start_minute  # P6 shows the data date itself
            else:
                es_abs[j] = ef_abs[j] = (
                    cal.start_at(key >> 1) if key & 1 else cal.finish_at(key >> 1)
                )
            continue
        es[j], ef[j] = es_j, ef_j
        shape = shape_of[j]
        if shape == FINISH_MILESTONE:
            ef_form[j] = es_form[j] = f_key & 1
            es_abs[j] = ef_abs[j] = cal.start_at(ef_j) if f_key & 1 else cal.finish_at(ef_j)
            continue
        es_form[j] = 1
        es_abs[j] = cal.start_at(es_j)
        if shape == START_MILESTONE or dur == 0:
            if shape == START_MILESTONE and f_key == floor_cache[c] and not preds[j]:
                es_abs[j] = start_minute  # P6 shows a milestone at the data date unmoved
            ef_abs[j], ef_form[j] = es_abs[j], 1
        else:
            ef_form[j] = f_key & 1
            ef_abs[j] = cal.start_at(ef_j) if f_key & 1 else cal.finish_at(ef_j)


def backward(net: Network, finish_abs: int) -> None:
    acts = net.schedule.activities
    cals = net.cals
    ls, lf, ls_abs, lf_abs = net.ls, net.lf, net.ls_abs, net.lf_abs
    ls_form, lf_form = net.ls_form, net.lf_form
    cal_of, loe, logic, dur_of, state_of = net.cal, net.loe, net.logic, net.dur, net.state
    succs, shape_of, constrained = net.succs, net.shape, net.constrained
    es, ef, es_form, ef_form = net.es, net.ef, net.es_form, net.ef_form
    finish_keys = [_bound_key(cal, finish_abs) for cal in cals]
    for i in reversed(net.order):
        c = cal_of[i]
        cal = cals[c]
        s_key = NEVER
        f_key = finish_keys[c]  # no activity finishes later than the project
        done = state_of[i] == DONE
        for k, kind, lag, lag_cal, from_actual in succs[i]:
            if from_actual or loe[k] or not logic[k]:
                continue  # a link measured from an actual start cannot move that start
            if done and kind & 1 and cal_of[k] != c and state_of[k] == NOT_STARTED:
                # P6 does not let a finished activity's start link to an activity on
                # another calendar that has not started bind the finished one's late
                # dates (seen in BFBPS13.xer, where all 362 finished activities then
                # carry P6's late dates); on the same calendar it does.
                continue
            if kind < 2:
                anchor, anchor_abs, form = ls[k], ls_abs[k], ls_form[k]
            else:
                anchor, anchor_abs, form = lf[k], lf_abs[k], lf_form[k]
            if lag == 0 and cal_of[k] == c:
                key = anchor * 2 + form
            else:
                key = candidate(net, c, k, lag, lag_cal, anchor, anchor_abs, form, True)
            if not kind & 1:
                if key < f_key:
                    f_key = key
            elif key < s_key:
                s_key = key
        dur = dur_of[i]
        state = state_of[i]
        forced: int | None = None
        forced_is_finish = False
        if constrained[i]:
            act = acts[i]
            if act.external_late_finish is not None and state != DONE:
                f_key = min(f_key, cal.ordinal(to_minute(act.external_late_finish)) * 2)
            for constraint in (act.constraint, act.secondary_constraint):
                if constraint is None or constraint.date is None:
                    continue
                kind_c = constraint.type
                when = cal.ordinal(to_minute(constraint.date))
                if kind_c in _LATE_FINISH:
                    f_key = min(f_key, when * 2)
                elif state != NOT_STARTED:
                    continue
                elif kind_c in _LATE_START:
                    s_key = min(s_key, when * 2 + 1)
                elif kind_c is ConstraintType.MANDATORY_START:
                    forced = when * 2 + 1
                elif kind_c is ConstraintType.MANDATORY_FINISH:
                    forced, forced_is_finish = when * 2, True
        if forced is not None:
            if forced_is_finish:
                f_key, s_key = forced, NEVER
            else:
                s_key, f_key = forced, NEVER
        lf_i = f_key >> 1
        if forced is not None and not forced_is_finish:
            by_duration = NEVER
        elif dur > 0:
            by_duration = (lf_i - dur) * 2 + 1
        elif state == DONE or shape_of[i] == START_MILESTONE:
            by_duration = f_key
        else:
            by_duration = lf_i * 2  # a zero-length task finishes, and starts, where work stops
        if by_duration < s_key:
            s_key = by_duration
        if state == DONE:
            key = s_key if s_key < f_key else f_key
            ls[i] = lf[i] = key >> 1
            ls_form[i] = lf_form[i] = key & 1
            ls_abs[i] = lf_abs[i] = cal.start_at(key >> 1) if key & 1 else cal.finish_at(key >> 1)
            continue
        ls_i = s_key >> 1
        lf_i = ls_i + dur
        ls[i], lf[i] = ls_i, lf_i
        form = 0 if shape_of[i] == FINISH_MILESTONE else s_key & 1
        if ls_i == es[i] and form < es_form[i]:
            form = 1  # never shown before the early start of the same working moment
        ls_form[i] = form
        ls_abs[i] = cal.start_at(ls_i) if form else cal.finish_at(ls_i)
        if dur == 0:
            lf_form[i], lf_abs[i] = form, ls_abs[i]
        elif lf_i == ef[i] and ef_form[i]:
            lf_form[i], lf_abs[i] = 1, cal.start_at(lf_i)
        else:
            lf_form[i], lf_abs[i] = 0, cal.finish_at(lf_i)
