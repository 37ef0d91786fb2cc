"""Writes and reads of the assessment: indicator sets, periods, closing (which freezes the
results) and reopening; the results of a period, live or stored; and `ranking_for`, which
the bulletin and the cockpit call.

Decisions, shown on the pages too:
- an open period is scored live from the current data with its set as it is now, and says
  it is provisional; closing stores every score with the rules it applied, and a closed
  period serves only what was stored, whatever changes later;
- closing is refused before the period is over and before its last month's reports are due;
- only the programme office reopens a closed period, with a reason; the earlier closing's
  scores are kept and can still be read; closing again makes a new set of scores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, User
from keyprojects.progress.services import report_due_date

from .choices import EventKind, IndicatorKind, PeriodKind, PeriodStatus, SubjectKind, UnitBasis
from .engine import Results, Rules, SubjectResult, digest, evaluate
from .inputs import window_for
from .models import Indicator, IndicatorSet, Period, PeriodEvent, Score, period_bounds, period_label
from .results import live_results, results_for
from .rules import check_indicators, number

# -- who may change what ---------------------------------------------------------------------


def can_manage(user: Any, jurisdiction_id: int) -> bool:
    """The programme office of the jurisdiction (or above it) sets rules and closes periods."""
    if not getattr(user, "is_authenticated", False) or not user.is_programme_office:
        return False
    ids = user.visible_jurisdiction_ids()
    return ids is None or jurisdiction_id in ids


def _require_office(user: Any, jurisdiction_id: int) -> None:
    if not can_manage(user, jurisdiction_id):
        raise PermissionDenied(_("Only the programme office changes the assessment."))


def _actor(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


# -- indicator sets --------------------------------------------------------------------------


def indicator_set_save(
    *,
    jurisdiction: Jurisdiction,
    user: Any,
    name: str,
    indicators: Sequence[Mapping[str, Any]],
    active: bool = True,
    unit_basis: str = UnitBasis.BY_KIND,
    red_list_size: int = 3,
    black_list_size: int = 3,
    black_below: Decimal | None = None,
    indicator_set: IndicatorSet | None = None,
    version: int | None = None,
) -> IndicatorSet:
    """Create or change a set. A set that cannot be computed is refused with every reason,
    keyed "indicators.<n>.weight", "indicators.<n>.params.<name>", … and nothing changes."""
    _require_office(user, jurisdiction.pk)
    if indicator_set is not None and indicator_set.jurisdiction_id != jurisdiction.pk:
        raise PermissionDenied
    checked = check_indicators(indicators)
    errors: dict[str, list[str]] = {}
    for problem in checked.problems:
        key = "indicators" if problem.index is None else f"indicators.{problem.index}"
        if problem.field and problem.index is not None:
            key = f"{key}.{problem.field}"
        errors.setdefault(key, []).append(problem.message)
    # A fresh copy: a refusal leaves the caller's instance as it was.
    candidate = (
        IndicatorSet.objects.get(pk=indicator_set.pk)
        if indicator_set is not None
        else IndicatorSet(jurisdiction=jurisdiction)
    )
    candidate.name = (name or "").strip()
    candidate.active = active
    candidate.unit_basis = unit_basis
    candidate.red_list_size = red_list_size
    candidate.black_list_size = black_list_size
    candidate.black_below = black_below
    try:
        candidate.full_clean(exclude=["version"], validate_constraints=False)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    taken = IndicatorSet.objects.filter(jurisdiction=jurisdiction, name=candidate.name)
    if candidate.name and taken.exclude(pk=candidate.pk).exists():
        errors.setdefault("name", []).append(_("Another indicator set has this name."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if candidate.pk:
            current = IndicatorSet.objects.select_for_update().get(pk=candidate.pk)
            if version is not None and current.version != version:
                raise ValidationError(
                    _("Someone saved this set after you opened it; reload it and try again.")
                )
            candidate.version = current.version + 1
        if active:
            for other in IndicatorSet.objects.filter(
                jurisdiction=jurisdiction, active=True
            ).exclude(pk=candidate.pk):
                other.active = False
                other.save()
        candidate.save()
        _sync_indicators(candidate, checked.indicators)
    return candidate


def _sync_indicators(indicator_set: IndicatorSet, rows: list[dict[str, Any]]) -> None:
    """Change the set's indicators in place, so the audit trail shows what really changed."""
    existing = {i.kind: i for i in indicator_set.indicators.all()}
    wanted = {row["kind"] for row in rows}
    for kind, indicator in existing.items():
        if kind not in wanted:
            indicator.delete()
    for position, row in enumerate(rows):
        indicator = existing.get(row["kind"]) or Indicator(
            indicator_set=indicator_set, kind=row["kind"]
        )
        indicator.indicator_set = indicator_set
        changed = (
            indicator.pk is None
            or indicator.position != position
            or indicator.weight != row["weight"]
            or indicator.params != row["params"]
        )
        if changed:
            indicator.position, indicator.weight, indicator.params = (
                position,
                row["weight"],
                row["params"],
            )
            indicator.save()


def indicator_set_delete(*, indicator_set: IndicatorSet, user: Any) -> None:
    _require_office(user, indicator_set.jurisdiction_id)
    if indicator_set.periods.exists():
        raise ValidationError(
            _("Periods are scored with this set; it can be taken out of use but not deleted.")
        )
    with transaction.atomic():
        for indicator in indicator_set.indicators.all():
            indicator.delete()
        indicator_set.delete()


def set_rows(indicator_set: IndicatorSet) -> list[dict[str, Any]]:
    return [
        {"kind": i.kind, "weight": i.weight, "params": i.params}
        for i in indicator_set.indicators.all()
    ]


# -- periods ---------------------------------------------------------------------------------


def period_number(kind: str, month: int) -> int:
    if kind == PeriodKind.MONTH:
        return month
    if kind == PeriodKind.QUARTER:
        return (month - 1) // 3 + 1
    return 0


def period_create(
    *,
    jurisdiction: Jurisdiction,
    kind: str,
    year: int,
    number: int,
    user: Any,
    indicator_set: IndicatorSet | None = None,
    today: dt.date | None = None,
) -> Period:
    _require_office(user, jurisdiction.pk)
    today = today or timezone.localdate()
    if kind == PeriodKind.YEAR:
        number = 0
    if kind not in PeriodKind.values:
        raise ValidationError({"kind": _("Choose a month, a quarter or a year.")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year from 2000 to 2100.")})
    if kind == PeriodKind.MONTH and not 1 <= number <= 12:
        raise ValidationError({"number": _("Enter a month from 1 to 12.")})
    if kind == PeriodKind.QUARTER and not 1 <= number <= 4:
        raise ValidationError({"number": _("Enter a quarter from 1 to 4.")})
    start, _end = period_bounds(kind, year, number)
    if start > today:
        raise ValidationError(
            _("%(period)s has not begun; a period is opened once it starts.")
            % {"period": period_label(kind, year, number)}
        )
    if indicator_set is None:
        indicator_set = IndicatorSet.objects.filter(jurisdiction=jurisdiction, active=True).first()
        if indicator_set is None:
            raise ValidationError(
                {"indicator_set": _("No indicator set is in use; make one first.")}
            )
    elif indicator_set.jurisdiction_id != jurisdiction.pk:
        raise ValidationError({"indicator_set": _("This set belongs to another jurisdiction.")})
    _require_computable(indicator_set)
    if Period.objects.filter(
        jurisdiction=jurisdiction, kind=kind, year=year, number=number
    ).exists():
        raise ValidationError(
            _("%(period)s is already open or closed.")
            % {"period": period_label(kind, year, number)}
        )
    try:
        with transaction.atomic():
            period = Period.objects.create(
                jurisdiction=jurisdiction,
                kind=kind,
                year=year,
                number=number,
                indicator_set=indicator_set,
            )
            PeriodEvent.objects.create(period=period, kind=EventKind.CREATED, actor=_actor(user))
    except IntegrityError:
        raise ValidationError(
            _("%(period)s is already open or closed.")
            % {"period": period_label(kind, year, number)}
        ) from None
    return period


def _require_computable(indicator_set: IndicatorSet) -> None:
    checked = check_indicators(set_rows(indicator_set))
    if not checked.ok:
        reasons = " ".join(p.message for p in checked.problems)
        raise ValidationError(
            _("The indicator set “%(set)s” cannot be computed: %(reasons)s")
            % {"set": indicator_set.name, "reasons": reasons}
        )


def earliest_closing(period: Period, rules: Rules) -> dt.date:
    """The first day a period may be closed: after its end, and after the report of its last
    month is due (with any grace), so no unit is marked late before its time."""
    earliest = period.end + dt.timedelta(days=1)
    if IndicatorKind.REPORTING_ON_TIME in rules.kinds:
        grace = int(number(rules.param(IndicatorKind.REPORTING_ON_TIME, "grace_days", 0)))
        due = report_due_date(period.year, period.months[-1]) + dt.timedelta(days=grace)
        earliest = max(earliest, due + dt.timedelta(days=1))
    return earliest


def closing_refusal(period: Period, today: dt.date | None = None) -> str | None:
    """Why the period cannot be closed today, or None when it can."""
    today = today or timezone.localdate()
    if period.is_closed:
        assert period.closed_at is not None
        return _("%(period)s was closed on %(date)s; its results are frozen.") % {
            "period": period.label,
            "date": timezone.localdate(period.closed_at).isoformat(),
        }
    rules = Rules.from_set(period.indicator_set)
    earliest = earliest_closing(period, rules)
    if today < earliest:
        return _(
            "%(period)s can be closed from %(date)s: after it ends and its last month's "
            "reports are due."
        ) % {"period": period.label, "date": earliest.isoformat()}
    return None


def period_close(*, period: Period, user: Any, today: dt.date | None = None) -> Period:
    """Work out every score from the data as it is now, store them with the rules applied,
    and freeze the period. Refused when closed already, or too early."""
    _require_office(user, period.jurisdiction_id)
    today = today or timezone.localdate()
    with transaction.atomic():
        period = (
            Period.objects.select_for_update().select_related("indicator_set").get(pk=period.pk)
        )
        refusal = closing_refusal(period, today)
        if refusal:
            raise ValidationError(refusal)
        _require_computable(period.indicator_set)
        rules = Rules.from_set(period.indicator_set)
        window = window_for(period.start, period.end, closing=True, today=today)
        results = evaluate(period.jurisdiction_id, window, rules, provisional=False)
        edition = period.edition + 1
        Score.objects.bulk_create(
            [_score_row(period, edition, s) for s in [*results.units, *results.projects]],
            batch_size=500,
        )
        fingerprint = digest(rules, results.units, results.projects)
        period.status = PeriodStatus.CLOSED
        sources = {"problems": results.problem_source, "safety": results.safety_available}
        period.rules = {**rules.as_json(), "sources": sources}
        period.edition = edition
        period.closed_at = timezone.now()
        period.closed_by = _actor(user)
        period.evaluated_on = today
        period.results_digest = fingerprint
        period.version += 1
        period.save()
        PeriodEvent.objects.create(
            period=period,
            kind=EventKind.CLOSED,
            edition=edition,
            actor=_actor(user),
            rules=period.rules,
            digest=fingerprint,
        )
        transaction.on_commit(lambda: _announce(period, results))
    return period


def _score_row(period: Period, edition: int, s: SubjectResult) -> Score:
    is_unit = s.subject_kind == SubjectKind.UNIT
    return Score(
        period=period,
        edition=edition,
        subject_kind=s.subject_kind,
        unit_id=s.subject_id if is_unit else None,
        project_id=None if is_unit else s.subject_id,
        subject_id=s.subject_id,
        name=s.name[:200],
        rank=s.rank,
        total=s.total,
        points_sum=s.points_sum,
        weight_counted=s.weight_counted,
        board=s.board,
        points={k: (str(v) if v is not None else None) for k, v in s.points.items()},
        lines=[line.as_json() for line in s.lines],
        projects=s.projects,
    )


def _announce(period: Period, results: Results) -> None:
    from keyprojects.notifications.services import notify

    url = reverse("assessment:period", args=[period.pk])
    key = f"{period.pk}:{period.edition}"
    ranked = [s for s in results.units if s.rank is not None]
    users = User.objects.filter(
        role=Role.UNIT_USER, unit_id__in=[s.subject_id for s in ranked], is_active=True
    )
    by_unit: dict[int, list[User]] = {}
    for user in users:
        assert user.unit_id is not None
        by_unit.setdefault(user.unit_id, []).append(user)
    for s in ranked:
        title = _("Assessment %(period)s is final: %(unit)s ranks %(rank)s of %(count)s") % {
            "period": period.label,
            "unit": s.name,
            "rank": s.rank,
            "count": len(ranked),
        }
        notify(
            by_unit.get(s.subject_id, []), kind="assessment_final", key=key, title=title, url=url
        )
    leaders = User.objects.filter(
        role=Role.LEADER, jurisdiction_id=period.jurisdiction_id, is_active=True
    )
    notify(
        leaders,
        kind="assessment_final",
        key=key,
        url=url,
        title=_("Assessment %(period)s is final") % {"period": period.label},
    )


def period_reopen(*, period: Period, user: Any, reason: str) -> Period:
    """Open a closed period again (the programme office, with a reason). The scores of the
    closing stay stored and readable; closing again stores new ones beside them."""
    _require_office(user, period.jurisdiction_id)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for reopening a closed period.")})
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        if not period.is_closed:
            raise ValidationError(_("%(period)s is open already.") % {"period": period.label})
        period.status = PeriodStatus.OPEN
        period.version += 1
        period.save()
        PeriodEvent.objects.create(
            period=period,
            kind=EventKind.REOPENED,
            edition=period.edition,
            actor=_actor(user),
            reason=reason.strip(),
        )
    return period


def period_delete(*, period: Period, user: Any) -> None:
    """Delete a period opened by mistake; never one that was closed, whose results stay."""
    _require_office(user, period.jurisdiction_id)
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        if period.edition:
            raise ValidationError(
                _("%(period)s was closed once; its results are kept, so it cannot be deleted.")
                % {"period": period.label}
            )
        period.delete()


# -- for the bulletin and the cockpit --------------------------------------------------------


@dataclass(frozen=True)
class RankingRow:
    rank: int | None
    unit_id: int
    name: str
    total: Decimal | None
    points: dict[str, Decimal | None]  # by indicator kind; None: left out for lack of data
    board: str  # "red", "black" or ""
    projects: int
    url: str


@dataclass(frozen=True)
class Ranking:
    period: Period | None  # None: no period was opened; scored live with the set in use
    label: str
    provisional: bool
    indicators: list[tuple[str, str, Decimal]]  # kind, label, weight
    rows: list[RankingRow] = field(default_factory=list)

    @property
    def red(self) -> list[RankingRow]:
        return [r for r in self.rows if r.board == "red"]

    @property
    def black(self) -> list[RankingRow]:
        return [r for r in self.rows if r.board == "black"]


def ranking_for(
    jurisdiction: Jurisdiction | int,
    year: int,
    month: int,
    *,
    kind: str = PeriodKind.MONTH,
    period: Period | None = None,
    today: dt.date | None = None,
) -> Ranking | None:
    """The units of `jurisdiction` ranked for the period of `kind` holding (year, month):
    totals, points per indicator, rank (shared on a full tie), red/black list, and whether
    the figures are provisional (period still open, or none opened: scored live with the set
    in use). None when the jurisdiction has no indicator set in use and no such period.
    Pass `period` to rank a period directly."""
    jurisdiction_id = jurisdiction if isinstance(jurisdiction, int) else jurisdiction.pk
    if kind not in PeriodKind.values or not 1 <= month <= 12:
        raise ValueError(f"no {kind!r} period holds month {month!r}")
    if period is None:
        number_ = period_number(kind, month)
        period = (
            Period.objects.select_related("indicator_set")
            .filter(jurisdiction_id=jurisdiction_id, kind=kind, year=year, number=number_)
            .first()
        )
    if period is not None:
        results = results_for(period, today=today)
        label = period.label
    else:
        active = IndicatorSet.objects.filter(jurisdiction_id=jurisdiction_id, active=True).first()
        if active is None or not check_indicators(set_rows(active)).ok:
            return None
        number_ = period_number(kind, month)
        results = live_results(
            jurisdiction_id=jurisdiction_id,
            kind=kind,
            year=year,
            number=number_,
            rules=Rules.from_set(active),
            today=today,
        )
        label = period_label(kind, year, number_)
    return ranking_of(results, period, label)


def ranking_of(results: Results, period: Period | None, label: str) -> Ranking:
    rows = [
        RankingRow(
            s.rank,
            s.subject_id,
            s.name,
            s.total,
            s.points,
            s.board,
            len(s.projects),
            reverse("assessment:unit", args=[period.pk, s.subject_id]) if period else "",
        )
        for s in results.units
    ]
    indicators = [(i.kind, i.label, i.weight) for i in results.rules.indicators]
    return Ranking(period, label, results.provisional, indicators, rows)


def visible_periods(user: Any) -> Any:
    return Period.objects.visible_to(user).select_related("jurisdiction", "indicator_set")
