"""What the meetings and visits API reads and writes. Names are prefixed so that no other
capability's schema takes them in the shared OpenAPI document."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from keyprojects.api.schemas import StrictSchema

from .choices import AgendaKind, DecisionOutcome, MeetingStatus, Presence


class MeetingOut(Schema):
    id: int
    jurisdiction_id: int
    title: str
    date: dt.date
    start_time: dt.time | None
    place: str
    chair_id: int | None
    chair: str
    status: MeetingStatus
    minutes: str
    held_at: dt.datetime | None
    closed_at: dt.datetime | None
    cancel_reason: str
    version: int = Field(description="Send it back with a change; a stale one is refused.")


class AgendaItemOut(Schema):
    id: int
    order: int
    kind: AgendaKind
    text: str
    project_id: int | None
    unit_id: int | None
    unit: str | None
    source_type: str | None = Field(description="The source record's model, e.g. supervision.task.")
    source_id: int | None
    source_label: str
    state: DecisionOutcome | None = Field(
        description="The live state of the task the item is about."
    )


class AttendanceOut(Schema):
    id: int
    unit_id: int | None
    person_id: int | None
    name: str
    label: str
    presence: Presence
    delegate: str


class MeetingDecisionOut(Schema):
    id: int
    meeting_id: int
    order: int
    text: str
    project_id: int | None
    agenda_item_id: int | None
    owner_unit_id: int
    owner_unit: str
    owner_person_id: int | None
    deadline: dt.date
    needs_evidence: bool
    task_id: int | None
    issued_at: dt.datetime | None
    outcome: DecisionOutcome


class MeetingDetailOut(MeetingOut):
    previous_meeting_id: int | None = Field(
        description="The last meeting held before this one; it opens with its decisions."
    )
    previous_decisions: list[MeetingDecisionOut]
    agenda: list[AgendaItemOut]
    attendance: list[AttendanceOut]
    decisions: list[MeetingDecisionOut]


class MeetingPage(Schema):
    count: int
    items: list[MeetingOut]


class MeetingIn(StrictSchema):
    jurisdiction_id: int | None = Field(None, description="Yours when left out.")
    date: dt.date
    title: str = Field("", max_length=200, description="Numbered for the year when left out.")
    start_time: dt.time | None = None
    place: str = Field("", max_length=200)
    chair_id: int | None = None
    chair_name: str = Field("", max_length=100)


class AgendaItemIn(StrictSchema):
    text: str
    kind: AgendaKind = AgendaKind.OTHER
    project_id: int | None = None
    unit_id: int | None = None


class AttendanceIn(StrictSchema):
    unit_id: int | None = None
    person_id: int | None = None
    name: str = Field("", max_length=100)


class AttendanceMarkIn(StrictSchema):
    id: int
    presence: Presence
    delegate: str = Field("", max_length=100)


class AttendanceMarksIn(StrictSchema):
    marks: list[AttendanceMarkIn]


class MeetingMinutesIn(StrictSchema):
    minutes: str
    version: int


class MeetingVersionIn(StrictSchema):
    version: int


class MeetingCancelIn(StrictSchema):
    reason: str
    version: int


class MeetingDecisionIn(StrictSchema):
    text: str
    owner_unit_id: int
    owner_person_id: int | None = None
    deadline: dt.date
    project_id: int | None = None
    agenda_item_id: int | None = None
    needs_evidence: bool = False


class VisitPhotoOut(Schema):
    id: int
    caption: str
    image_url: str
    thumbnail_url: str
    taken_at: dt.datetime | None


class VisitInstructionOut(Schema):
    id: int
    visit_id: int
    stop_id: int | None
    leader_id: int | None
    leader: str
    text: str
    project_id: int | None
    owner_unit_id: int
    owner_unit: str
    owner_person_id: int | None
    deadline: dt.date
    needs_evidence: bool
    task_id: int | None
    outcome: DecisionOutcome
    created_at: dt.datetime


class VisitStopOut(Schema):
    id: int
    order: int
    project_id: int | None
    name: str
    findings: str
    photos: list[VisitPhotoOut]


class VisitOut(Schema):
    id: int
    jurisdiction_id: int
    date: dt.date
    title: str
    leader_ids: list[int]
    leader_names: str
    unit_ids: list[int]
    summary: str


class VisitDetailOut(VisitOut):
    stops: list[VisitStopOut]
    instructions: list[VisitInstructionOut]


class VisitPage(Schema):
    count: int
    items: list[VisitOut]


class VisitIn(StrictSchema):
    jurisdiction_id: int | None = Field(None, description="Yours when left out.")
    date: dt.date
    title: str = Field("", max_length=200)
    leader_ids: list[int] = []
    leader_names: str = Field("", max_length=200)
    unit_ids: list[int] = []
    summary: str = ""


class VisitStopIn(StrictSchema):
    project_id: int | None = None
    name: str = Field("", max_length=200)
    findings: str = ""


class VisitInstructionIn(StrictSchema):
    text: str
    owner_unit_id: int
    deadline: dt.date
    stop_id: int | None = None
    leader_id: int | None = Field(None, description="For the office: whose instruction it is.")
    leader_name: str = Field("", max_length=100)
    owner_person_id: int | None = None
    project_id: int | None = None
    needs_evidence: bool = False
