"""The safety summary the assessment reads: per project and per unit, over a period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from keyprojects.inspections import services
from keyprojects.inspections.choices import IncidentKind, Outcome
from keyprojects.inspections.incidents import incident_save
from keyprojects.inspections.models import Hazard
from keyprojects.inspections.selectors import safety_summary
from keyprojects.supervision import services as tasks

from .conftest import TODAY, mark, photo

MAY = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
JUNE = (dt.date(2026, 6, 1), dt.date(2026, 6, 30))


def inspect(world, checklist, project, date, *outcomes):
    inspection = services.inspection_start(
        user=world.office, project=project, template=checklist, date=date
    )
    results = list(inspection.results.order_by("position"))
    entries = [
        services.ResultEntry(result_id=r.pk, outcome=o, deadline=TODAY + dt.timedelta(days=5))
        for r, o in zip(results, outcomes, strict=True)
    ]
    services.inspection_record(user=world.office, inspection=inspection, entries=entries)
    return services.inspection_complete(user=world.office, inspection=inspection)


def test_counts_by_project_and_unit(world, checklist, frozen):
    F, P = Outcome.FAIL, Outcome.PASS
    first = inspect(world, checklist, world.project, TODAY, F, F, P)
    inspect(world, checklist, world.other_project, TODAY - dt.timedelta(days=2), P, F, P)
    inspect(world, checklist, world.project, dt.date(2026, 5, 20), P, P, P)  # May: not counted
    draft = services.inspection_start(  # a draft: not counted
        user=world.office, project=world.project, template=checklist, date=TODAY
    )
    mark(draft, world.office, F, F, F)
    services.hazard_rectify(user=world.owner_user, hazard=first[0], upload=photo())
    services.hazard_accept(user=world.office, hazard=Hazard.objects.get(pk=first[0].pk))
    tasks.task_cancel(first[1].task, user=world.office, reason="误判")  # cancelled: not counted
    incident_save(
        user=world.office, project=world.project, occurred_on=TODAY, kind=IncidentKind.SAFETY,
        description="高处坠落", deaths=1, serious_injuries=2, direct_loss=Decimal("2500000"),
        today=TODAY,
    )  # fmt: skip

    summary = safety_summary([world.district.pk], *JUNE)
    mine = summary.by_project[world.project.pk]
    assert (mine.inspections, mine.hazards, mine.major_hazards, mine.hazards_closed) == (1, 1, 1, 1)
    assert (mine.incidents, mine.deaths, mine.serious_injuries) == (1, 1, 2)
    assert mine.direct_loss == Decimal("2500000") and mine.incidents_by_grade == {"general": 1}
    other = summary.by_project[world.other_project.pk]
    assert (other.inspections, other.hazards, other.major_hazards) == (1, 1, 0)
    # Hazards count for the unit that rectifies them; the owner unit by default.
    assert summary.by_unit[world.owner.pk].hazards == 1
    assert summary.by_unit[world.bystander_unit.pk].hazards == 1
    assert summary.total.inspections == 2 and summary.total.hazards == 2

    may = safety_summary([world.district.pk], *MAY)
    assert may.by_project[world.project.pk].inspections == 1 and may.total.hazards == 0
    assert safety_summary([world.other_district.pk], *JUNE).total.inspections == 0
    assert safety_summary(None, *JUNE).total.inspections == 2


def test_late_hazards(world, checklist, frozen):
    on_time, late, open_late = inspect(
        world, checklist, world.project, TODAY, Outcome.FAIL, Outcome.FAIL, Outcome.FAIL
    )
    deadline = on_time.deadline
    services.hazard_rectify(user=world.owner_user, hazard=on_time, upload=photo())
    frozen.move_to(dt.datetime.combine(deadline + dt.timedelta(days=2), dt.time(1), dt.UTC))
    services.hazard_rectify(user=world.owner_user, hazard=late, upload=photo())
    end = deadline + dt.timedelta(days=3)
    summary = safety_summary([world.district.pk], TODAY, end)
    assert summary.total.hazards == 3 and summary.total.hazards_late == 2
    # Before the deadline passed within the period, nothing was late yet.
    assert safety_summary([world.district.pk], TODAY, deadline).total.hazards_late == 0
    assert open_late.is_overdue(end)


def test_three_queries_whatever_the_number_of_records(world, checklist, frozen,
                                                      django_assert_num_queries):  # fmt: skip
    inspect(world, checklist, world.project, TODAY, Outcome.FAIL, Outcome.PASS, Outcome.PASS)
    with django_assert_num_queries(3):
        safety_summary([world.district.pk], *JUNE)
    for _ in range(3):
        inspect(world, checklist, world.other_project, TODAY, *[Outcome.FAIL] * 3)
    with django_assert_num_queries(3):
        safety_summary([world.district.pk], *JUNE)
