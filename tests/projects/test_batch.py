"""The annual batch is derived: the Python rule and the SQL annotation always agree."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyprojects.projects.choices import Batch, Stage
from keyprojects.projects.models import Project, derive_batch

from ..factories import ProjectFactory

D = dt.date


@pytest.mark.parametrize(
    ("stage", "start", "completion", "expected"),
    [
        (Stage.RESERVE, D(2026, 3, 1), None, Batch.RESERVE),
        (Stage.PRELIMINARY, D(2026, 5, 1), D(2027, 1, 1), Batch.NEW_START),
        (Stage.PRELIMINARY, D(2027, 5, 1), None, Batch.RESERVE),
        (Stage.PRELIMINARY, None, None, Batch.RESERVE),
        (Stage.PRELIMINARY, D(2025, 5, 1), None, Batch.NEW_START),  # late start carried over
        (Stage.CONSTRUCTION, D(2026, 2, 1), D(2026, 11, 1), Batch.NEW_START),
        (Stage.CONSTRUCTION, D(2024, 2, 1), D(2028, 1, 1), Batch.CONTINUING),
        (Stage.CONSTRUCTION, D(2024, 2, 1), D(2026, 9, 1), Batch.COMPLETED),
        (Stage.CONSTRUCTION, D(2022, 2, 1), D(2025, 9, 1), Batch.CONTINUING),  # overdue
        (Stage.COMPLETED, D(2024, 2, 1), D(2026, 6, 1), Batch.COMPLETED),
        (Stage.COMPLETED, D(2022, 2, 1), D(2025, 6, 1), None),
        (Stage.OPERATING, D(2020, 2, 1), D(2023, 6, 1), None),
        (Stage.CANCELLED, D(2026, 2, 1), None, None),
    ],
)
def test_batch_of_a_project_in_2026(stage, start, completion, expected):
    assert derive_batch(stage=stage, start=start, completion=completion, year=2026) == expected


dates = st.one_of(st.none(), st.dates(min_value=D(2019, 1, 1), max_value=D(2030, 12, 31)))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    stage=st.sampled_from(list(Stage)),
    planned_start=dates,
    actual_start=dates,
    planned_completion=dates,
    actual_completion=dates,
    year=st.integers(2020, 2029),
)
@pytest.mark.django_db
def test_sql_and_python_agree(
    stage, planned_start, actual_start, planned_completion, actual_completion, year
):
    project = ProjectFactory.build(
        stage=stage,
        planned_start=planned_start,
        actual_start=actual_start,
        planned_completion=planned_completion,
        actual_completion=actual_completion,
    )
    project.jurisdiction.save()
    project.owner_unit.jurisdiction = project.jurisdiction
    project.owner_unit.save()
    project.owner_unit_id = project.owner_unit.pk
    project.responsible_unit.jurisdiction = project.jurisdiction
    project.responsible_unit.save()
    project.responsible_unit_id = project.responsible_unit.pk
    project.jurisdiction_id = project.jurisdiction.pk
    project.save()
    from_sql = Project.objects.with_batch(year).get(pk=project.pk).batch
    assert from_sql == project.batch(year)
    project.delete()
