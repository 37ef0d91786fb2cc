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
    first_start = min(result.activities[i].early_start for i in result.activities)
    for activity_id in path:
        found = drivers.get(activity_id, set()) & path
        if not found:
            # a path begins only where nothing drives it: at the earliest start
            assert result.activities[activity_id].early_start == first_start or not any(
                activity_id == s for _, s in result.driving_relations
            )
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
