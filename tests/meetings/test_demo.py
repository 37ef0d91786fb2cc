"""The demo's meetings and visits: built by the demo command, through the services."""

import io

from django.core.management import call_command

from keyprojects.audit.services import verify_chain
from keyprojects.meetings.agenda import opening
from keyprojects.meetings.choices import AgendaKind, MeetingStatus
from keyprojects.meetings.models import Instruction, Meeting, SiteVisit


def test_the_demo_holds_two_meetings_plans_a_third_and_makes_two_visits(db):
    call_command("demo", stdout=io.StringIO())

    meetings = list(Meeting.objects.order_by("date"))
    assert [m.status for m in meetings] == [
        MeetingStatus.CLOSED, MeetingStatus.CLOSED, MeetingStatus.PLANNED,
    ]  # fmt: skip
    first, second, third = meetings
    assert all(d.task_id for d in first.decisions.all())
    begins = opening(second)
    assert begins.previous == first and len(begins.decisions) == first.decisions.count()
    assert {"done", "submitted", "overdue"} <= set(begins.counts)
    carried = third.agenda.filter(kind=AgendaKind.CARRIED_OVER)
    assert carried.count() >= 3
    assert third.agenda.filter(kind=AgendaKind.LAGGING_PROJECT).exists()
    assert SiteVisit.objects.count() == 2
    assert Instruction.objects.filter(task__isnull=False).count() >= 4
    first_visit = SiteVisit.objects.order_by("date").first()
    assert list(first_visit.stops.values_list("name", flat=True)) == [
        "老鼓楼衙署遗址公园", "珊瑚公园滨江公园", "解放碑地下停车库及连接通道三期工程",
        "马鞍山传统风貌区",
    ]  # fmt: skip
    assert verify_chain() is None


def test_the_demo_runs_twice_without_adding_meetings_twice(db):
    call_command("demo", stdout=io.StringIO())
    count = Meeting.objects.count()
    call_command("demo", "--reset", stdout=io.StringIO())
    assert Meeting.objects.count() == count
