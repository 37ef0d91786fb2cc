"""Activities P6 places after the two passes: level of effort and as late as possible."""

from __future__ import annotations

from .calendar import WorkCalendar
from .network import DONE, FF, FS, NOT_STARTED, SS, Network


def _at(cal: WorkCalendar, key: int) -> int:
    return cal.start_at(key >> 1) if key & 1 else cal.finish_at(key >> 1)


def _key_in(cal: WorkCalendar, moment: int, form: int) -> int:
    return cal.ordinal(moment) * 2 + form


def level_of_effort_pass(net: Network) -> None:
    """A level-of-effort activity starts with its predecessors and finishes with its
    successors, in both early and late dates; its length follows from them."""
    for i in range(net.n):
        if not net.loe[i] or net.state[i] == DONE:
            continue
        cal = net.cals[net.cal[i]]
        finish_key = -(1 << 62)
        for k, kind, _lag, _cal, _actual in net.succs[i]:
            if net.loe[k]:
                continue
            if kind == FS:
                finish_key = max(finish_key, _key_in(cal, net.es_abs[k], 0))
            elif kind == FF:
                finish_key = max(finish_key, _key_in(cal, net.ef_abs[k], net.ef_form[k]))
        if finish_key > net.es[i] * 2:
            net.ef[i] = finish_key >> 1
            net.ef_form[i] = finish_key & 1
            net.ef_abs[i] = _at(cal, finish_key)
        start_key = -(1 << 62)
        for p, kind, _lag, _cal, _actual in net.preds[i]:
            if net.loe[p]:
                continue
            if kind == SS:
                start_key = max(start_key, _key_in(cal, net.ls_abs[p], 1))
            elif kind == FS:
                start_key = max(start_key, _key_in(cal, net.lf_abs[p], 1))
        if start_key != -(1 << 62) and start_key >> 1 <= net.lf[i]:
            net.ls[i] = start_key >> 1
            net.ls_form[i] = 1
            net.ls_abs[i] = cal.start_at(start_key >> 1)


def as_late_as_possible_pass(net: Network) -> dict[int, tuple[int, int]]:
    """Move an unstarted as-late-as-possible activity's early dates as late as its
    successors' early dates allow (zero free float), never past its late dates.

    Returns the early start and finish ordinals each had before the move: P6 measures
    the total float of such an activity from them.
    """
    before: dict[int, tuple[int, int]] = {}
    for i in reversed(net.order):
        if not net.alap[i] or net.state[i] != NOT_STARTED:
            continue
        cal = net.cals[net.cal[i]]
        dur = net.dur[i]
        latest_finish = net.lf[i]
        for k, kind, lag, _cal, _actual in net.succs[i]:
            if net.loe[k]:
                continue
            if kind == FS:
                bound = cal.ordinal(net.es_abs[k]) - lag
            elif kind == FF:
                bound = cal.ordinal(net.ef_abs[k]) - lag
            elif kind == SS:
                bound = cal.ordinal(net.es_abs[k]) - lag + dur
            else:
                bound = cal.ordinal(net.ef_abs[k]) - lag + dur
            latest_finish = min(latest_finish, bound)
        before[i] = (net.es[i], net.ef[i])
        if latest_finish > net.ef[i]:
            net.ef[i] = latest_finish
            net.es[i] = latest_finish - dur
            net.es_abs[i] = cal.start_at(net.es[i])
            net.ef_abs[i] = cal.finish_at(net.ef[i]) if dur else net.es_abs[i]
    return before
