"""A district's meetings and visits, with time frozen on a working day in June 2026."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import translation

from keyprojects.meetings import attendance, services, visits
from keyprojects.organisations.choices import Role
from tests.api.conftest import api_for  # noqa: F401  (a fixture for the API tests)
from tests.factories import UserFactory

TODAY = dt.date(2026, 6, 10)
NOW = dt.datetime(2026, 6, 10, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are read in English here, whatever the catalog translates meanwhile."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def meeting(world):
    """A meeting today, with the owner unit invited and a decision for the responsible unit
    about world.project: every unit user but the bystander's is involved."""
    meeting = services.meeting_create(
        user=world.office, jurisdiction=world.district, date=TODAY, place="区政府第一会议室",
        chair=world.leader,
    )  # fmt: skip
    attendance.attendance_add(meeting, user=world.office, unit=world.owner)
    return meeting


@pytest.fixture
def decided(world, meeting):
    services.decision_add(
        meeting, user=world.office, text="区住房城市建委牵头完成管线迁改方案",
        owner_unit=world.responsible, deadline=TODAY + dt.timedelta(days=20),
        project=world.project,
    )  # fmt: skip
    return meeting


def hold(meeting, user, minutes="会议听取了各单位汇报，研究了存在问题。"):
    rows = {row.pk: ("present", "") for row in meeting.attendance.all()}
    attendance.attendance_mark(meeting, user=user, marks=rows)
    meeting.refresh_from_db()
    return services.meeting_hold(meeting, user=user, minutes=minutes)


@pytest.fixture
def other_leader(world):
    return UserFactory(
        username="leader2", role=Role.LEADER, jurisdiction=world.district, position="常务副区长"
    )


@pytest.fixture
def visit(world):
    """The leader visits world.project; the bystander unit is not involved."""
    visit = visits.visit_create(
        user=world.office, jurisdiction=world.district, date=TODAY, title="区长现场办公",
        leaders=[world.leader], leader_names="区委书记",
    )  # fmt: skip
    visits.stop_add(visit, user=world.office, project=world.project, findings="管线迁改滞后")
    return visit
