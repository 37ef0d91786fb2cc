"""What the API reads and writes. Amounts are yuan as decimal strings, dates ISO 8601."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field, PlainSerializer, WithJsonSchema

DECIMAL_JSON = {"type": "string", "format": "decimal", "example": "1250000.00"}

# Out: always a string, so no client reads an amount through a float.
DecimalStr = Annotated[
    Decimal,
    PlainSerializer(str, return_type=str),
    WithJsonSchema(DECIMAL_JSON, mode="serialization"),
]
CENT = Decimal("0.01")
# Two places, also where a database computed the value through a float.
TwoPlaces = Annotated[
    Decimal,
    PlainSerializer(lambda d: str(d.quantize(CENT)), return_type=str),
    WithJsonSchema(DECIMAL_JSON, mode="serialization"),
]
Yuan = TwoPlaces
Percent = TwoPlaces
# In: a string or a number; validation of range and places is the model's.
DecimalIn = Annotated[Decimal, WithJsonSchema({**DECIMAL_JSON, "type": ["string", "number"]})]


class Ref(Schema):
    id: int
    name: str


class JurisdictionRef(Ref):
    code: str


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    jurisdiction: JurisdictionRef


class StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class ProjectOut(Schema):
    id: int
    code: str | None
    name: str
    jurisdiction: JurisdictionRef
    stage: str
    year: int = Field(description="The year the batch and the annual figures are for.")
    batch: str | None = Field(description="new_start, continuing, completed, reserve or null.")
    level: str
    industry: str
    site: str
    latitude: DecimalStr | None
    longitude: DecimalStr | None
    scale_and_content: str
    owner_unit: Ref
    responsible_unit: Ref
    responsible_person: str
    contact: str
    leader_in_charge: str
    start_year: int | None
    end_year: int | None
    planned_start: dt.date | None
    planned_completion: dt.date | None
    actual_start: dt.date | None
    actual_completion: dt.date | None
    total_investment: Yuan
    annual_target: Yuan | None = Field(description="The annual plan's investment target.")
    ytd_completed: Yuan | None = Field(description="Completed this year, as last reported.")
    plan_share: Percent | None = Field(description="Share of the annual target completed.")
    funding_sources: str
    progress_percent: DecimalStr | None
    progress_text: str
    preliminary_progress: str
    problems_text: str
    next_steps: str
    light: str
    version: int = Field(description="Send it back with a change: it detects concurrent edits.")
    created_at: dt.datetime
    updated_at: dt.datetime


class ProjectPage(Schema):
    count: int
    limit: int
    offset: int
    year: int
    items: list[ProjectOut]


class ProjectFields(StrictSchema):
    """The ledger fields a person edits; units are given by id."""

    code: str | None = None
    name: str = ""
    level: str = ""
    industry: str = ""
    site: str = ""
    latitude: DecimalIn | None = None
    longitude: DecimalIn | None = None
    scale_and_content: str = ""
    owner_unit: int = 0
    responsible_unit: int = 0
    responsible_person: str = ""
    contact: str = ""
    leader_in_charge: str = ""
    start_year: int | None = None
    end_year: int | None = None
    planned_start: dt.date | None = None
    planned_completion: dt.date | None = None
    actual_start: dt.date | None = None
    actual_completion: dt.date | None = None
    total_investment: DecimalIn = Decimal(0)
    funding_sources: str = ""
    progress_percent: DecimalIn | None = None
    progress_text: str = ""
    preliminary_progress: str = ""
    problems_text: str = ""
    next_steps: str = ""
    light: str = ""


class ProjectCreate(ProjectFields):
    name: str
    level: str
    industry: str
    owner_unit: int
    responsible_unit: int
    total_investment: DecimalIn
    jurisdiction: int | None = Field(
        default=None, description="Defaults to the caller's own jurisdiction."
    )
    stage: str = "reserve"


class ProjectPatch(ProjectFields):
    version: int = Field(description="The `version` of the project as last read.")


class StageIn(StrictSchema):
    to: str
    reason: str
    effective_date: dt.date | None = None


class FieldChangeOut(Schema):
    field: str
    label: str
    theirs: Any
    by: str
    at: dt.datetime | None


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class ConflictOut(ErrorOut):
    version: int
    changes: list[FieldChangeOut]


class AnnualPlanIn(StrictSchema):
    investment_target: DecimalIn
    milestone: str = ""
    milestone_quarter: int | None = None
    milestone_note: str = ""
    month_completed: DecimalIn | None = None
    ytd_completed: DecimalIn | None = None
    since_start_completed: DecimalIn | None = None
    figures_as_of: dt.date | None = None


class AnnualPlanOut(Schema):
    project_id: int
    year: int
    investment_target: Yuan
    milestone: str
    milestone_quarter: int | None
    milestone_note: str
    month_completed: Yuan | None
    ytd_completed: Yuan | None
    since_start_completed: Yuan | None
    figures_as_of: dt.date | None
