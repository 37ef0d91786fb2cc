"""The cockpit's figures in the JSON API, the same as the page draws, read-only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from keyprojects.api.auth import caller
from keyprojects.api.errors import ApiError
from keyprojects.api.schemas import ErrorOut

from .period import parse_period
from .present import cockpit_for

router = Router(tags=["cockpit"])

AMOUNT = "Yuan, as a decimal string."
LINK = "The list behind this figure, filtered to the same records (a path on this site)."


class CountOut(Schema):
    key: str
    label: str
    count: int
    url: str | None = Field(description=LINK)


class SummaryOut(Schema):
    projects: int
    projects_url: str = Field(description=LINK)
    total_investment: str = Field(description=AMOUNT)
    annual_target: str = Field(description=AMOUNT)
    completed: str = Field(description="Accepted investment this year to the end of the month.")
    expected: str = Field(description="The 序时 amount: each plan's target × expected share.")
    share: str | None = Field(description="Completed, percent of the annual plan.")
    expected_share: str | None = Field(description="序时, percent of the annual plan.")
    gap_points: str | None = Field(description="Share less 序时 share, percentage points.")
    behind: int = Field(description="Projects with a yellow or red light this month.")
    behind_url: str = Field(description=LINK)


class MonthOut(Schema):
    month: int
    completed: str | None = Field(description="Cumulative; none after the month asked for.")
    expected: str
    behind: int
    url: str = Field(description=LINK)


class InvestmentOut(Schema):
    annual_target: str = Field(description=AMOUNT)
    months: list[MonthOut]


class LegendOut(Schema):
    key: str
    label: str


class LinkedCountOut(Schema):
    count: int
    url: str


class NotStartedOut(LinkedCountOut):
    label: str


class ThresholdsOut(Schema):
    yellow: int = Field(description="Points behind 序时 at which a light turns yellow.")
    red: int = Field(description="Points behind 序时 past which a light turns red.")


class LightsOut(Schema):
    legend: list[LegendOut]
    thresholds: ThresholdsOut
    month: list[CountOut]
    by_month: dict[str, list[LinkedCountOut]] = Field(description="Per light, January first.")
    not_started: NotStartedOut


class CockpitUnitOut(Schema):
    unit_id: int
    unit: str
    projects: int
    projects_url: str
    paced_projects: int = Field(description="Projects with a light this month.")
    annual_target: str
    completed: str
    expected: str
    share: str | None
    expected_share: str | None
    gap_points: str | None
    red: int
    red_url: str
    yellow: int
    yellow_url: str
    overdue_tasks: int
    overdue_tasks_url: str


class ClosureOut(Schema):
    rate: str | None = Field(description="Closed, percent of closed and open.")
    bars: list[CountOut]
    dropped: int = Field(description="Cancelled, merged or withdrawn.")


class MapOut(Schema):
    tiles: str = Field(description="Tile server URL template; empty for a plain background.")
    attribution: str
    with_coordinates: int
    shown: int
    project_url: str = Field(description="A project's page is this followed by its id and /.")
    fields: list[str]
    points: list[tuple[int, float, float, str, str]] = Field(
        description="One array a project: id, longitude, latitude, the month's light (empty "
        "without one) and name; red first, then yellow, then by total investment."
    )


class AssessmentRowOut(Schema):
    rank: int | None
    unit_id: int
    unit: str
    total: str | None
    board: str = Field(description='"red", "black" or empty.')
    url: str = Field(description="The unit's score, with what explains it.")


class AssessmentOut(Schema):
    label: str
    provisional: bool
    scored: bool = Field(description="False when the month is not scored here.")
    deferred: bool = Field(
        description="True when scoring the open month live would take too long for this "
        "answer: `url` leads to the assessment, which scores it."
    )
    url: str
    rows: list[AssessmentRowOut] = Field(description="The first ten units.")


class CockpitOut(Schema):
    year: int
    month: int
    as_of: str = Field(description="The last day of the month shown.")
    today: str = Field(description="Overdue counts are as of this day.")
    figures_at: str | None = Field(description="When the kept figures were worked out.")
    current: bool = Field(description="False while newer figures are being worked out.")
    summary: SummaryOut
    batches: list[CountOut]
    stages: list[CountOut]
    investment: InvestmentOut
    lights: LightsOut
    ranking: list[CockpitUnitOut]
    tasks: ClosureOut
    problems: ClosureOut | None
    map: MapOut
    assessment: AssessmentOut | None = Field(
        description="The assessment's ranking of units (考核) for the month."
    )


@router.get(
    "/cockpit/",
    response={200: CockpitOut, 401: ErrorOut, 422: ErrorOut},
    summary="The leaders' cockpit",
)
def cockpit(request: HttpRequest, year: str = "", month: str = "") -> dict[str, Any]:
    """The cockpit's figures for a month (last month unless `year` and `month` say), as
    the caller may see them: counts by batch and stage, investment month by month against
    the plan and 序时, lights, owner units ranked, closure of tasks and problems, and the map.
    Each figure names the list behind it."""
    today = timezone.localdate()
    period, errors = parse_period({"year": year, "month": month}, today)
    if errors:
        raise ApiError(422, _("Some values are not valid."), errors)
    return cockpit_for(caller(request), year=period.year, month=period.month, today=today)
