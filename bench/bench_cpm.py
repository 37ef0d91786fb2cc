"""Benchmark the CPM engine on a synthetic network (not a unit test).

100,000 activities and 250,000 relations of mixed types and lags on a five-day calendar
with holidays: times the forward pass, backward pass and floats (one `schedule` call),
reports peak memory, and, when `mpxj` and `JPype1` are installed (see
bench/requirements-cpm.txt) and Java is available, times MPXJ's PrimaveraScheduler on
the same network read from an XER file, timing the scheduling alone.

Run: python bench/bench_cpm.py [--activities N] [--relations M] [--no-mpxj]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keyprojects.scheduling.engine import (
    Activity,
    CalendarSpec,
    Relation,
    RelationType,
    Schedule,
    ScheduleResult,
    schedule,
    write_xer,
)

TIME_TARGET_S = 2.0
MEMORY_TARGET_MB = 1024.0
_DAY = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))


def holiday_calendar(first_year: int = 2024, years: int = 60) -> CalendarSpec:
    rng = random.Random(7)
    holidays: dict[date, tuple[tuple[int, int], ...]] = {}
    for year in range(first_year, first_year + years):
        for month, day in ((1, 1), (5, 1), (10, 1), (10, 2), (10, 3), (12, 25)):
            holidays[date(year, month, day)] = ()
        for _ in range(4):
            holidays[date(year, 1, 1) + timedelta(days=rng.randrange(365))] = ()
    return CalendarSpec(
        id="1", name="5-day with holidays", week=(_DAY,) * 5 + ((), ()), exceptions=holidays
    )


def synthetic_network(
    activities: int = 100_000, relations: int = 250_000, seed: int = 1
) -> Schedule:
    rng = random.Random(seed)
    durations = [rng.randint(1, 10) * 480 for _ in range(activities)]
    acts = [
        Activity(
            id=str(i + 1),
            code=f"A{i + 1}",
            calendar_id="1",
            original_duration=d,
            remaining_duration=d,
        )
        for i, d in enumerate(durations)
    ]
    kinds = (
        [RelationType.FINISH_START] * 14
        + [RelationType.START_START] * 3
        + [RelationType.FINISH_FINISH] * 2
        + [RelationType.START_FINISH]
    )
    seen: set[tuple[int, int]] = set()
    rels: list[Relation] = []
    window = 2_000
    while len(rels) < relations:
        succ = rng.randrange(1, activities)
        pred = rng.randrange(max(0, succ - window), succ)
        if (pred, succ) in seen:
            continue
        seen.add((pred, succ))
        lag = rng.choice((0, 0, 0, 0, 0, 0, 480, 960, -480, 240))
        rels.append(Relation(str(pred + 1), str(succ + 1), rng.choice(kinds), lag))
    return Schedule(
        id="1",
        name="synthetic",
        data_date=datetime(2025, 1, 6, 8, 0),
        start=datetime(2025, 1, 6, 8, 0),
        default_calendar_id="1",
        calendars={"1": holiday_calendar()},
        activities=acts,
        relations=rels,
    )


def _rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / (1024 * 1024)


def time_mpxj(
    model: Schedule, ours: ScheduleResult | None = None
) -> tuple[float | None, str, str | None]:
    """MPXJ PrimaveraScheduler's best time of two on the same network (or why it was not
    measured), and how many activities it dates exactly as we do."""
    # The baseline is benchmark-only (bench/requirements-cpm.txt) and ships no type
    # information; the Java classes come through JPype at run time.
    try:
        import jpype  # type: ignore[import-not-found]
        import mpxj  # type: ignore[import-not-found]  # noqa: F401  (puts MPXJ's jar on the path)
    except ImportError as exc:
        why = f"mpxj/JPype1 not installed ({exc.name}); pip install -r bench/requirements-cpm.txt"
        return None, why, None
    try:
        if not jpype.isJVMStarted():
            jpype.startJVM()
        from java.time import LocalDateTime  # type: ignore[import-not-found]
        from org.mpxj.cpm import PrimaveraScheduler  # type: ignore[import-not-found]
        from org.mpxj.primavera import PrimaveraXERFileReader  # type: ignore[import-not-found]
    except Exception as exc:
        return None, f"MPXJ could not start: {exc}", None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "synthetic.xer"
        write_xer(model, path, encoding="cp1252")
        project = PrimaveraXERFileReader().read(str(path))
    when = model.start or model.data_date
    start = LocalDateTime.of(when.year, when.month, when.day, when.hour, when.minute)
    best: float | None = None
    for _ in range(2):
        began = time.perf_counter()
        try:
            PrimaveraScheduler().schedule(project, start)
        except Exception as exc:
            return None, f"MPXJ failed to schedule: {exc}", None
        took = time.perf_counter() - began
        best = took if best is None else min(best, took)
    agreement = None
    if ours is not None:
        same = total = 0
        for task in project.getTasks():
            code = str(task.getActivityID() or "")
            mine = ours.activities.get(str(task.getUniqueID()))
            if mine is None or not code:
                continue
            total += 1
            theirs = [str(task.getEarlyStart())[:16], str(task.getEarlyFinish())[:16],
                      str(task.getLateStart())[:16], str(task.getLateFinish())[:16]]  # fmt: skip
            here = [mine.early_start, mine.early_finish, mine.late_start, mine.late_finish]
            same += theirs == [d.strftime("%Y-%m-%dT%H:%M") for d in here]
        agreement = f"{same}/{total}"
    return best, "MPXJ PrimaveraScheduler, same network via XER, best of 2", agreement


def run(
    activities: int = 100_000, relations: int = 250_000, with_mpxj: bool = True
) -> list[dict[str, Any]]:
    """Build, schedule and measure; returns rows of metric, value, target, ok."""
    model = synthetic_network(activities, relations)
    tracemalloc.start()
    began = time.perf_counter()
    result = schedule(model)
    elapsed = time.perf_counter() - began
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    runs = []
    for _ in range(3):
        timings: dict[str, float] = {}
        began = time.perf_counter()
        schedule(model, timings=timings)
        timings["total"] = time.perf_counter() - began
        runs.append(timings)
    best = min(runs, key=lambda t: t["total"])
    untraced = best["total"]
    passes = best["passes_and_floats"]
    rows: list[dict[str, Any]] = [
        {"metric": "activities", "value": activities, "target": "", "ok": True},
        {"metric": "relations", "value": relations, "target": "", "ok": True},
        {
            "metric": "forward + backward pass + floats s",
            "value": round(passes, 3),
            "target": f"< {TIME_TARGET_S}",
            "ok": passes < TIME_TARGET_S,
        },
        {
            "metric": "index the model s (ids, calendars, topological order)",
            "value": round(best["network"], 3),
            "target": "",
            "ok": True,
        },
        {
            "metric": "build result objects s",
            "value": round(best["results"], 3),
            "target": "",
            "ok": True,
        },
        {
            "metric": "whole schedule() call s (best of 3)",
            "value": round(untraced, 3),
            "target": "",
            "ok": True,
        },
        {
            "metric": "schedule time s under tracemalloc",
            "value": round(elapsed, 3),
            "target": "",
            "ok": True,
        },
        {
            "metric": "peak traced memory MB (scheduling)",
            "value": round(traced_peak / 2**20, 1),
            "target": f"< {MEMORY_TARGET_MB:.0f}",
            "ok": traced_peak / 2**20 < MEMORY_TARGET_MB,
        },
        {
            "metric": "peak RSS MB (whole process)",
            "value": round(_rss_mb(), 1),
            "target": f"< {MEMORY_TARGET_MB:.0f}",
            "ok": _rss_mb() < MEMORY_TARGET_MB,
        },
        {
            "metric": "project finish",
            "value": result.project_finish.strftime("%Y-%m-%d %H:%M"),
            "target": "",
            "ok": True,
        },
    ]
    if with_mpxj:
        seconds, note, agreement = time_mpxj(model, result)
        if agreement is not None:
            rows.append(
                {
                    "metric": "activities MPXJ dates exactly as we do",
                    "value": agreement,
                    "target": "",
                    "ok": True,
                }
            )
        if seconds is None:
            rows.append(
                {"metric": "MPXJ time s", "value": "not measured", "target": note, "ok": True}
            )
        else:
            rows.append(
                {"metric": "MPXJ time s", "value": round(seconds, 3), "target": note, "ok": True}
            )
            rows.append(
                {
                    "metric": "MPXJ time / our time",
                    "value": round(seconds / untraced, 2),
                    "target": "> 1 means we are faster",
                    "ok": True,
                }
            )
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    width = max(len(str(r["metric"])) for r in rows)
    print(f"{'metric'.ljust(width)}  {'value':>20}  {'target':<12}  ok")
    for r in rows:
        ok = "yes" if r["ok"] else "NO"
        print(f"{str(r['metric']).ljust(width)}  {r['value']!s:>20}  {r['target']!s:<12}  {ok}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--relations", type=int, default=250_000)
    parser.add_argument("--no-mpxj", action="store_true")
    args = parser.parse_args()
    rows = run(args.activities, args.relations, with_mpxj=not args.no_mpxj)
    print_table(rows)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
