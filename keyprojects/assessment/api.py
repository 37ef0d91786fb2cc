"""The assessment in the JSON API: periods, rankings, a score's arithmetic, indicator sets.

Everyone reads the assessment of the jurisdictions they see; the programme office opens,
closes and reopens periods and writes the indicator sets. A set that cannot be computed
answers 422 with a reason per field ("indicators.2.weight", "indicators.0.params.cap", …)
and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from keyprojects.api.auth import caller
from keyprojects.api.errors import forbidden, invalid, not_found
from keyprojects.api.schemas import DecimalIn, ErrorOut, TwoPlaces
from keyprojects.organisations.models import Jurisdiction

from . import explain, services
from .choices import IndicatorKind, PeriodKind, PeriodStatus, SubjectKind, UnitBasis
from .engine import SubjectResult
from .models import IndicatorSet, Period
from .results import results_for, stored_results, subject_detail
from .rules import params_of, plain

router = Router(tags=["assessment"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class IndicatorIO(Schema):
    kind: str = Field(description="One of the kinds listed at /assessment/indicator-kinds/.")
    weight: DecimalIn = Field(description="More than 0; the weights of a set add up to 100.")
    params: dict[str, Any] = Field(
        default_factory=dict, description="Every parameter of the kind; see indicator-kinds."
    )


class IndicatorOut(Schema):
    kind: str
    label: str
    weight: TwoPlaces
    params: dict[str, Any]


class IndicatorSetOut(Schema):
    id: int
    jurisdiction_id: int
    name: str
    active: bool
    unit_basis: UnitBasis
    red_list_size: int
    black_list_size: int
    black_below: TwoPlaces | None
    version: int = Field(description="Send it back with a change; a stale one is refused.")
    indicators: list[IndicatorOut]


class IndicatorSetIn(Schema):
    name: str = Field(max_length=100)
    jurisdiction_id: int | None = Field(None, description="Default: the caller's own.")
    active: bool = True
    unit_basis: UnitBasis = UnitBasis.BY_KIND
    red_list_size: int = Field(3, ge=0, le=50)
    black_list_size: int = Field(3, ge=0, le=50)
    black_below: DecimalIn | None = None
    indicators: list[IndicatorIO]
    version: int | None = Field(None, description="Required to change an existing set.")


class ParamOut(Schema):
    name: str
    label: str
    type: str
    default: Any
    minimum: TwoPlaces | None
    maximum: TwoPlaces | None
    choices: list[str]
    required: bool


class KindOut(Schema):
    kind: str
    label: str
    params: list[ParamOut]


class PeriodOut(Schema):
    id: int
    jurisdiction_id: int
    label: str
    kind: PeriodKind
    year: int
    number: int
    status: PeriodStatus
    provisional: bool
    indicator_set_id: int
    closings: int
    start: dt.date
    end: dt.date
    closed_at: dt.datetime | None
    evaluated_on: dt.date | None


class PeriodIn(Schema):
    kind: PeriodKind
    year: int
    number: int = Field(0, description="Month 1–12 or quarter 1–4; ignored for a year.")
    jurisdiction_id: int | None = Field(None, description="Default: the caller's own.")
    indicator_set_id: int | None = Field(None, description="Default: the set in use.")


class ReopenIn(Schema):
    reason: str


class RankingRowOut(Schema):
    rank: int | None
    subject_id: int
    name: str
    total: TwoPlaces | None
    points: dict[str, TwoPlaces | None]
    board: str = Field(description="red (红榜), black (黑榜) or empty")
    scaled: bool = Field(description="Indicators were left out and the total scaled to 100.")


class RankingOut(Schema):
    period: PeriodOut
    subject: SubjectKind
    closing: int = Field(description="0 while open; else which closing these results are.")
    provisional: bool
    indicators: list[IndicatorOut]
    rows: list[RankingRowOut]
    red: list[int]
    black: list[int]


class LineOut(Schema):
    kind: str
    label: str
    weight: TwoPlaces
    points: TwoPlaces | None
    no_data: bool
    figures: dict[str, Any]
    steps: list[str] = Field(description="The arithmetic in words, in the caller's language.")
    items: list[dict[str, Any]] = Field(description="The records behind the figures.")


class ScoreOut(Schema):
    period: PeriodOut
    subject: SubjectKind
    subject_id: int
    name: str
    closing: int
    provisional: bool
    rank: int | None
    total: TwoPlaces | None
    points_sum: TwoPlaces
    weight_counted: TwoPlaces
    board: str
    total_steps: list[str]
    projects: list[dict[str, Any]]
    lines: list[LineOut]


def _period_out(period: Period) -> dict[str, Any]:
    return {
        "id": period.pk,
        "jurisdiction_id": period.jurisdiction_id,
        "label": period.label,
        "kind": period.kind,
        "year": period.year,
        "number": period.number,
        "status": period.status,
        "provisional": not period.is_closed,
        "indicator_set_id": period.indicator_set_id,
        "closings": period.edition,
        "start": period.start,
        "end": period.end,
        "closed_at": period.closed_at,
        "evaluated_on": period.evaluated_on,
    }


def _set_out(s: IndicatorSet) -> dict[str, Any]:
    return {
        "id": s.pk,
        "jurisdiction_id": s.jurisdiction_id,
        "name": s.name,
        "active": s.active,
        "unit_basis": s.unit_basis,
        "red_list_size": s.red_list_size,
        "black_list_size": s.black_list_size,
        "black_below": s.black_below,
        "version": s.version,
        "indicators": [
            {"kind": i.kind, "label": i.get_kind_display(), "weight": i.weight, "params": i.params}
            for i in s.indicators.all()
        ],
    }


def _get_period(request: HttpRequest, period_id: int) -> Period:
    period = services.visible_periods(caller(request)).filter(pk=period_id).first()
    if period is None:
        raise not_found()
    return period


def _jurisdiction(request: HttpRequest, jurisdiction_id: int | None) -> Jurisdiction:
    user = caller(request)
    if jurisdiction_id is None:
        if user.jurisdiction is None:
            raise invalid("jurisdiction_id", "required")
        return user.jurisdiction
    ids = user.visible_jurisdiction_ids()
    found = Jurisdiction.objects.filter(pk=jurisdiction_id)
    if ids is not None:
        found = found.filter(pk__in=ids)
    jurisdiction = found.first()
    if jurisdiction is None:
        raise invalid("jurisdiction_id", "unknown jurisdiction")
    return jurisdiction


# -- indicator kinds and sets ----------------------------------------------------------------


@router.get(
    "/assessment/indicator-kinds/",
    response={200: list[KindOut], **ERRORS},
    summary="Kinds of indicator and their parameters",
)
def indicator_kinds(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "kind": kind,
            "label": str(IndicatorKind(kind).label),
            "params": [
                {
                    "name": p.name,
                    "label": str(p.label),
                    "type": p.type,
                    "default": plain(p.default),
                    "minimum": p.minimum,
                    "maximum": p.maximum,
                    "choices": list(p.choices),
                    "required": p.required,
                }
                for p in params_of(kind)
            ],
        }
        for kind in IndicatorKind.values
    ]


@router.get(
    "/assessment/indicator-sets/",
    response={200: list[IndicatorSetOut], **ERRORS},
    summary="List indicator sets",
)
def list_sets(request: HttpRequest) -> list[dict[str, Any]]:
    sets = IndicatorSet.objects.visible_to(caller(request)).prefetch_related("indicators")
    return [_set_out(s) for s in sets]


@router.get(
    "/assessment/indicator-sets/{set_id}/",
    response={200: IndicatorSetOut, **ERRORS},
    summary="Read an indicator set",
)
def get_set(request: HttpRequest, set_id: int) -> dict[str, Any]:
    found = IndicatorSet.objects.visible_to(caller(request)).filter(pk=set_id).first()
    if found is None:
        raise not_found()
    return _set_out(found)


def _save(request: HttpRequest, payload: IndicatorSetIn, instance: IndicatorSet | None) -> Any:
    user = caller(request)
    jurisdiction = (
        instance.jurisdiction if instance else _jurisdiction(request, payload.jurisdiction_id)
    )
    if not services.can_manage(user, jurisdiction.pk):
        raise forbidden()
    if instance is not None and payload.version is None:
        raise invalid("version", "required")
    return services.indicator_set_save(
        jurisdiction=jurisdiction,
        user=user,
        name=payload.name,
        indicators=[i.dict() for i in payload.indicators],
        active=payload.active,
        unit_basis=payload.unit_basis,
        red_list_size=payload.red_list_size,
        black_list_size=payload.black_list_size,
        black_below=payload.black_below,
        indicator_set=instance,
        version=payload.version,
    )


@router.post(
    "/assessment/indicator-sets/",
    response={201: IndicatorSetOut, **ERRORS},
    summary="Make an indicator set (programme office)",
)
def create_set(request: HttpRequest, payload: IndicatorSetIn) -> tuple[int, dict[str, Any]]:
    return 201, _set_out(_save(request, payload, None))


@router.put(
    "/assessment/indicator-sets/{set_id}/",
    response={200: IndicatorSetOut, **ERRORS},
    summary="Change an indicator set (programme office)",
)
def update_set(request: HttpRequest, set_id: int, payload: IndicatorSetIn) -> dict[str, Any]:
    instance = IndicatorSet.objects.visible_to(caller(request)).filter(pk=set_id).first()
    if instance is None:
        raise not_found()
    return _set_out(_save(request, payload, instance))


# -- periods ---------------------------------------------------------------------------------


@router.get(
    "/assessment/periods/", response={200: list[PeriodOut], **ERRORS}, summary="List periods"
)
def list_periods(
    request: HttpRequest, year: int | None = None, status: PeriodStatus | None = None
) -> list[dict[str, Any]]:
    periods = services.visible_periods(caller(request)).order_by("-year", "kind", "-number")
    if year is not None:
        periods = periods.filter(year=year)
    if status is not None:
        periods = periods.filter(status=status)
    return [_period_out(p) for p in periods]


@router.post(
    "/assessment/periods/",
    response={201: PeriodOut, **ERRORS},
    summary="Open a period (programme office)",
)
def create_period(request: HttpRequest, payload: PeriodIn) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    jurisdiction = _jurisdiction(request, payload.jurisdiction_id)
    if not services.can_manage(user, jurisdiction.pk):
        raise forbidden()
    indicator_set = None
    if payload.indicator_set_id is not None:
        indicator_set = IndicatorSet.objects.filter(
            pk=payload.indicator_set_id, jurisdiction=jurisdiction
        ).first()
        if indicator_set is None:
            raise invalid("indicator_set_id", "unknown indicator set")
    period = services.period_create(
        jurisdiction=jurisdiction,
        kind=payload.kind,
        year=payload.year,
        number=payload.number,
        user=user,
        indicator_set=indicator_set,
    )
    return 201, _period_out(period)


@router.get(
    "/assessment/periods/{period_id}/",
    response={200: PeriodOut, **ERRORS},
    summary="Read a period",
)
def get_period(request: HttpRequest, period_id: int) -> dict[str, Any]:
    return _period_out(_get_period(request, period_id))


@router.post(
    "/assessment/periods/{period_id}/close/",
    response={200: PeriodOut, **ERRORS},
    summary="Close a period and freeze its results (programme office)",
)
def close_period(request: HttpRequest, period_id: int) -> dict[str, Any]:
    """Refused (422, with the reason) when it is closed already, or before it ends and its
    last month's reports are due."""
    period = _get_period(request, period_id)
    if not services.can_manage(caller(request), period.jurisdiction_id):
        raise forbidden()
    return _period_out(services.period_close(period=period, user=caller(request)))


@router.post(
    "/assessment/periods/{period_id}/reopen/",
    response={200: PeriodOut, **ERRORS},
    summary="Reopen a closed period, with the reason (programme office)",
)
def reopen_period(request: HttpRequest, period_id: int, payload: ReopenIn) -> dict[str, Any]:
    period = _get_period(request, period_id)
    if not services.can_manage(caller(request), period.jurisdiction_id):
        raise forbidden()
    return _period_out(
        services.period_reopen(period=period, user=caller(request), reason=payload.reason)
    )


def _row(s: SubjectResult) -> dict[str, Any]:
    return {
        "rank": s.rank,
        "subject_id": s.subject_id,
        "name": s.name,
        "total": s.total,
        "points": s.points,
        "board": s.board,
        "scaled": s.scaled,
    }


@router.get(
    "/assessment/periods/{period_id}/ranking/",
    response={200: RankingOut, **ERRORS},
    summary="A period's ranking of units or projects",
)
def ranking(
    request: HttpRequest,
    period_id: int,
    subject: SubjectKind = SubjectKind.UNIT,
    closing: int | None = None,
) -> dict[str, Any]:
    """Units (default) or projects in rank order. Open periods are scored live
    (`provisional`); closed ones serve the scores stored at closing. `closing` reads an
    earlier closing kept after a reopening."""
    period = _get_period(request, period_id)
    if closing is not None and not 0 < closing <= period.edition:
        raise invalid("closing", "no such closing")
    if closing is not None and not (period.is_closed and closing == period.edition):
        results = stored_results(period, closing)
        edition = closing
    else:
        results = results_for(period)
        edition = period.edition if period.is_closed else 0
    rows = results.units if subject == SubjectKind.UNIT else results.projects
    indicators = [
        {"kind": i.kind, "label": i.label, "weight": i.weight, "params": i.params}
        for i in results.rules.indicators
    ]
    return {
        "period": _period_out(period),
        "subject": subject,
        "closing": edition,
        "provisional": results.provisional,
        "indicators": indicators,
        "rows": [_row(s) for s in rows],
        "red": [s.subject_id for s in results.red] if subject == SubjectKind.UNIT else [],
        "black": [s.subject_id for s in results.black] if subject == SubjectKind.UNIT else [],
    }


def _score(
    request: HttpRequest, period_id: int, kind: str, subject_id: int, closing: int | None
) -> dict[str, Any]:
    period = _get_period(request, period_id)
    if closing is not None and not 0 < closing <= period.edition:
        raise invalid("closing", "no such closing")
    detail = subject_detail(period, kind, subject_id, edition=closing)
    if detail is None:
        raise not_found()
    s = detail.result
    return {
        "period": _period_out(period),
        "subject": kind,
        "subject_id": s.subject_id,
        "name": s.name,
        "closing": detail.edition,
        "provisional": detail.provisional,
        "rank": s.rank,
        "total": s.total,
        "points_sum": s.points_sum,
        "weight_counted": s.weight_counted,
        "board": s.board,
        "total_steps": explain.total_steps(s),
        "projects": s.projects,
        "lines": [
            {
                "kind": line.kind,
                "label": line.label,
                "weight": line.weight,
                "points": line.points,
                "no_data": line.no_data,
                "figures": _plain(line.figures),
                "steps": explain.steps(line),
                "items": _plain(line.items),
            }
            for line in s.lines
        ],
    }


def _plain(value: Any) -> Any:
    from .engine import jsonable

    return jsonable(value)


@router.get(
    "/assessment/periods/{period_id}/units/{unit_id}/",
    response={200: ScoreOut, **ERRORS},
    summary="A unit's score with its inputs and arithmetic",
)
def unit_score(
    request: HttpRequest, period_id: int, unit_id: int, closing: int | None = None
) -> dict[str, Any]:
    return _score(request, period_id, SubjectKind.UNIT, unit_id, closing)


@router.get(
    "/assessment/periods/{period_id}/projects/{project_id}/",
    response={200: ScoreOut, **ERRORS},
    summary="A project's score with its inputs and arithmetic",
)
def project_score(
    request: HttpRequest, period_id: int, project_id: int, closing: int | None = None
) -> dict[str, Any]:
    return _score(request, period_id, SubjectKind.PROJECT, project_id, closing)
