"""Properties of random networks (hypothesis)."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyprojects.scheduling.engine import Relation, RelationType, Schedule, schedule

from .builders import MONDAY, build, task

KINDS = list(RelationType)


@st.composite
def networks(draw: st.DrawFn) -> Schedule:
    n = draw(st.integers(min_value=1, max_value=25))
    hours = draw(st.lists(st.integers(0, 40), min_size=n, max_size=n))
    acts = [task(f"T{i}", h) for i, h in enumerate(hours)]
    relations: list[Relation] = []
    seen: set[tuple[int, int]] = set()
    for _ in range(draw(st.integers(0, 3 * n))):
        a = draw(st.integers(0, n - 1))
        b = draw(st.integers(0, n - 1))
        if a == b:
            continue
        pred, succ = min(a, b), max(a, b)
        if (pred, succ) in seen:
            continue
        seen.add((pred, succ))
        kind = draw(st.sampled_from(KINDS))
        lag = draw(st.sampled_from([0, 0, 0, 4, 8, 16, -4, -8])) * 60
        relations.append(Relation(f"T{pred}", f"T{succ}", kind, lag))
    return build(acts, relations, data_date=MONDAY)


fast = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(networks())
def test_early_dates_never_after_late_dates_without_a_deadline(model: Schedule) -> None:
    result = schedule(model)
    for r in result.activities.values():
        assert r.early_start <= r.late_start
        assert r.early_finish <= r.late_finish


@fast
@given(networks())
def test_float_is_never_negative_without_a_deadline(model: Schedule) -> None:
    result = schedule(model)
    for r in result.activities.values():
        assert r.total_float_minutes >= 0
        assert r.free_float_minutes >= 0


@fast
@given(networks())
def test_nothing_starts_before_the_data_date(model: Schedule) -> None:
    result = schedule(model)
    assert all(r.early_start >= model.data_date for r in result.activities.values())


@fast
@given(networks())
def test_longest_path_is_a_driving_chain_from_start_to_finish(model: Schedule) -> None:
    result = schedule(model)
    path = set(result.longest_path())
    assert path, "there is always a longest path"
    ends = [i for i in path if result.activities[i].early_finish == result.project_finish]
    assert ends, "the path reaches the project finish"
    drivers: dict[str, set[str]] = {}
    for pred, succ in result.driving_relations:
        drivers.setdefault(succ, set()).add(pred)
    for activity_id in path:
        if not drivers.get(activity_id, set()) & path:
            # a chain begins only where nothing drives it: at the data date
            assert result.activities[activity_id].early_start == model.data_date
    for activity_id in path:
        assert result.activities[activity_id].total_float_minutes == 0


@fast
@given(networks(), st.integers(0, 2**32 - 1))
def test_results_do_not_depend_on_input_order(model: Schedule, seed: int) -> None:
    first = schedule(model)
    rng = random.Random(seed)
    shuffled = build(
        rng.sample(model.activities, len(model.activities)),
        rng.sample(model.relations, len(model.relations)),
        data_date=model.data_date,
    )
    second = schedule(shuffled)
    for activity_id, a in first.activities.items():
        b = second.activities[activity_id]
        assert (a.early_start, a.early_finish, a.late_start, a.late_finish) == (
            b.early_start,
            b.early_finish,
            b.late_start,
            b.late_finish,
        )
        assert a.total_float_minutes == b.total_float_minutes
        assert a.longest_path == b.longest_path


@st.composite
def progressed_networks(draw: st.DrawFn) -> Schedule:
    """Networks on two calendars, with finished and started work and any lag calendar."""
    from datetime import timedelta

    from keyprojects.scheduling.engine import LagCalendar, ProgressMode, ScheduleOptions

    from .builders import five_day, seven_day

    model = draw(networks())
    for act in model.activities:
        act.calendar_id = draw(st.sampled_from(["5d", "7d"]))
        state = draw(st.sampled_from(["new", "new", "started", "done"]))
        if state != "new":
            act.actual_start = MONDAY - timedelta(days=draw(st.integers(3, 20)))
        if state == "started":
            act.remaining_duration = draw(st.integers(0, act.original_duration // 60)) * 60
        if state == "done":
            act.actual_finish = act.actual_start + timedelta(days=1)  # type: ignore[operator]
    model.calendars = {"5d": five_day(), "7d": seven_day()}
    model.default_calendar_id = "5d"
    model.options = ScheduleOptions(
        progress=draw(st.sampled_from(list(ProgressMode))),
        lag_calendar=draw(st.sampled_from(list(LagCalendar))),
    )
    return model


@fast
@given(progressed_networks())
def test_progressed_networks_schedule_remaining_work_from_the_data_date(model: Schedule) -> None:
    result = schedule(model)
    for act in model.activities:
        r = result.activities[act.id]
        if act.is_complete:
            assert r.complete and r.total_float_minutes == 0
            continue
        assert r.early_start >= model.data_date
        assert r.early_finish >= r.early_start
        assert r.late_finish >= r.late_start
        assert r.early_start <= r.late_start
        assert r.early_finish <= r.late_finish
        assert r.total_float_minutes >= 0
