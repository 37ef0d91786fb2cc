"""The demo's problems: every state, realistic timelines, an unbroken audit chain."""

from __future__ import annotations

import io
from collections import Counter

from django.core.management import call_command

from keyprojects.audit.services import verify_chain
from keyprojects.problems.choices import ProblemStatus
from keyprojects.problems.models import Problem, ProblemResponse
from keyprojects.problems.statistics import unit_statistics


def test_the_demo_has_problems_in_every_state(db):
    call_command("demo", stdout=io.StringIO())

    problems = Problem.objects.filter(jurisdiction__code="500103")
    statuses = Counter(problems.values_list("status", flat=True))
    assert 22 <= problems.count() <= 30
    assert set(statuses) == set(ProblemStatus.values)
    assert problems.filter(escalated_at__isnull=False, status="assigned").exists()
    assert problems.filter(reopened_count__gt=0).exists()
    assert problems.get(status="merged").merged_into.status == "assigned"
    assert ProblemResponse.objects.values("unit").distinct().count() >= 4
    for problem in problems.exclude(status__in=["raised", "withdrawn", "merged"]):
        assert problem.triaged_at > problem.raised_at
    rows = unit_statistics(
        jurisdiction_ids=None,
        start=min(problems.values_list("raised_at", flat=True)).date(),
        end=max(problems.values_list("raised_at", flat=True)).date(),
    )
    answered = [r for r in rows if r.average_response_hours]
    assert answered and all(r.average_response_hours > 1 for r in answered)
    assert any(r.satisfaction for r in rows)
    assert verify_chain() is None
