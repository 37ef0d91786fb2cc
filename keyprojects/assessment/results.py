"""Reading a period's results: live (provisional, remembered until the data moves) while it
is open; the scores stored at closing once it is closed, or those of an earlier closing kept
after a reopening; one subject's score with what explains it; and the check that stored
scores still match the fingerprint recorded when they were made."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from .choices import EventKind, SubjectKind
from .engine import Line, Results, Rules, SubjectResult, digest, evaluate
from .inputs import Window, window_for
from .models import Period, Score, period_bounds

CACHE_SECONDS = 600


def _cache_key(
    jurisdiction_id: int, kind: str, year: int, number: int, rules: Rules, today: dt.date
) -> str:
    """Live results are remembered until the data moves: every write to a report, plan,
    project, problem or task goes through the audit trail and moves its head. The rules are
    part of the key, so an edited set is never served stale."""
    from keyprojects.audit.models import AuditHead

    head = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    text = json.dumps(rules.as_json(), sort_keys=True)
    fingerprint = hashlib.sha256(text.encode()).hexdigest()[:16]
    return f"assessment:{jurisdiction_id}:{kind}:{year}:{number}:{fingerprint}:{head}:{today}"


def live_results(
    *,
    jurisdiction_id: int,
    kind: str,
    year: int,
    number: int,
    rules: Rules,
    today: dt.date | None = None,
) -> Results:
    """Provisional scores from the data as it is now, remembered until it changes."""
    today = today or timezone.localdate()
    key = _cache_key(jurisdiction_id, kind, year, number, rules, today)
    found: Results | None = cache.get(key)
    if found is None:
        start, end = period_bounds(kind, year, number)
        window = window_for(start, end, closing=False, today=today)
        found = evaluate(jurisdiction_id, window, rules, provisional=True)
        cache.set(key, found, timeout=CACHE_SECONDS)
    return found


def results_for(period: Period, *, today: dt.date | None = None) -> Results:
    """The period's scores: those stored at closing once it is closed, else live."""
    if period.is_closed:
        return stored_results(period, period.edition)
    return live_results(
        jurisdiction_id=period.jurisdiction_id,
        kind=period.kind,
        year=period.year,
        number=period.number,
        rules=Rules.from_set(period.indicator_set),
        today=today,
    )


@dataclass(frozen=True)
class Closing:
    """What one closing of a period applied and recorded."""

    edition: int
    rules: Rules
    evaluated_on: dt.date
    digest: str
    problem_source: str
    safety_available: bool


def _closing(period: Period, edition: int) -> Closing:
    event = period.events.filter(kind=EventKind.CLOSED, edition=edition).first()
    if event is None or event.rules is None:
        raise Score.DoesNotExist
    if edition == period.edition and period.rules is not None and period.evaluated_on:
        stored, day, fingerprint = period.rules, period.evaluated_on, period.results_digest
    else:
        stored, day, fingerprint = event.rules, timezone.localdate(event.at), event.digest
    sources = stored.get("sources") or {}
    return Closing(
        edition,
        Rules.from_json(stored),
        day,
        fingerprint,
        sources.get("problems", "problems"),
        bool(sources.get("safety", True)),
    )


def stored_results(period: Period, edition: int, *, with_lines: bool = False) -> Results:
    """What a closing stored. Without `with_lines`, only the points (the ranking's needs)."""
    closing = _closing(period, edition)
    window = window_for(period.start, period.end, closing=True, today=closing.evaluated_on)
    rows = Score.objects.filter(period=period, edition=edition).order_by(
        "subject_kind", "rank", "name"
    )
    if not with_lines:
        rows = rows.defer("lines")
    units: list[SubjectResult] = []
    projects: list[SubjectResult] = []
    for row in rows:
        result = from_score(row, closing.rules, with_lines=with_lines)
        (units if row.subject_kind == SubjectKind.UNIT else projects).append(result)
    return Results(
        closing.rules,
        window,
        _ranked(units),
        _ranked(projects),
        closing.problem_source,
        closing.safety_available,
        provisional=False,
    )


def _ranked(results: list[SubjectResult]) -> list[SubjectResult]:
    return sorted(results, key=lambda s: (s.rank is None, s.rank or 0, s.name))


def from_score(row: Score, rules: Rules, *, with_lines: bool = True) -> SubjectResult:
    if with_lines:
        lines = [Line.from_json(data) for data in row.lines]
    else:
        weights = {i.kind: i.weight for i in rules.indicators}
        lines = [
            Line(
                kind,
                weights.get(kind, Decimal(0)),
                Decimal(p) if p is not None else None,
                p is None,
                {},
            )
            for kind, p in row.points.items()
        ]
    return SubjectResult(
        row.subject_kind,
        row.subject_id,
        row.name,
        lines,
        row.points_sum,
        row.weight_counted,
        row.total,
        row.rank,
        row.board,
        list(row.projects),
    )


def results_intact(period: Period, edition: int | None = None) -> bool:
    """Whether the stored scores of a closing still match the fingerprint recorded (and
    audited) when it was made."""
    edition = edition or period.edition
    if not edition:
        return True
    closing = _closing(period, edition)
    rows = list(Score.objects.filter(period=period, edition=edition))
    results = [from_score(r, closing.rules) for r in rows]
    units = [s for s in results if s.subject_kind == SubjectKind.UNIT]
    projects = [s for s in results if s.subject_kind == SubjectKind.PROJECT]
    return digest(closing.rules, units, projects) == closing.digest


@dataclass(frozen=True)
class Detail:
    """One subject's score with what it needs to be explained."""

    result: SubjectResult
    rules: Rules
    window: Window
    provisional: bool
    edition: int
    problem_source: str
    safety_available: bool


def subject_detail(
    period: Period,
    subject_kind: str,
    subject_id: int,
    *,
    edition: int | None = None,
    today: dt.date | None = None,
) -> Detail | None:
    """A unit's or project's score with its arithmetic: stored for a closing (the current
    one when the period is closed, or an earlier one by `edition`), else live."""
    if edition is None and not period.is_closed:
        results = results_for(period, today=today)
        found = results.subject(subject_kind, subject_id)
        if found is None:
            return None
        return Detail(
            found,
            results.rules,
            results.window,
            True,
            0,
            results.problem_source,
            results.safety_available,
        )
    edition = edition or period.edition
    row = Score.objects.filter(
        period=period, edition=edition, subject_kind=subject_kind, subject_id=subject_id
    ).first()
    if row is None:
        return None
    closing = _closing(period, edition)
    window = window_for(period.start, period.end, closing=True, today=closing.evaluated_on)
    return Detail(
        from_score(row, closing.rules),
        closing.rules,
        window,
        False,
        edition,
        closing.problem_source,
        closing.safety_available,
    )
