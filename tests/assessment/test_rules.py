"""A set of indicators that cannot be computed is refused with the reason, in the service,
the form and the API alike, and nothing changes."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from keyprojects.assessment import services
from keyprojects.assessment.models import Indicator, IndicatorSet
from keyprojects.assessment.rules import check_indicators
from keyprojects.audit.models import AuditEntry

from .conftest import default_indicators


def problems_of(rows):
    return {(p.index, p.field): p.message for p in check_indicators(rows).problems}


def test_the_default_set_is_computable_and_normalised():
    checked = check_indicators(default_indicators())
    assert checked.ok
    assert [r["weight"] for r in checked.indicators] == [
        Decimal("40.00"),
        Decimal("20.00"),
        Decimal("10.00"),
        Decimal("20.00"),
        Decimal("10.00"),
    ]
    assert checked.indicators[0]["params"] == {"cap": 1.2, "when_no_data": "exclude"}


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (lambda rows: rows[0].update(kind="speed"), (0, "kind"), "not a kind"),
        (lambda rows: rows[1].update(kind=rows[0]["kind"]), (1, "kind"), "twice"),
        (lambda rows: rows[0].update(weight=-40), (0, "weight"), "more than 0"),
        (lambda rows: rows[0].update(weight=0), (0, "weight"), "more than 0"),
        (lambda rows: rows[0].update(weight="forty"), (0, "weight"), "number"),
        (lambda rows: rows[0].update(weight=True), (0, "weight"), "number"),
        (lambda rows: rows[0].update(weight="40.001"), (0, "weight"), "two decimal"),
        (lambda rows: rows[0].update(weight=30), (None, "weight"), "add up to 90"),
        (lambda rows: rows[0]["params"].pop("cap"), (0, "params.cap"), "required"),
        (lambda rows: rows[0]["params"].update(cap="1.2"), (0, "params.cap"), "number"),
        (lambda rows: rows[0]["params"].update(cap=True), (0, "params.cap"), "number"),
        (lambda rows: rows[0]["params"].update(cap=float("nan")), (0, "params.cap"), "number"),
        (lambda rows: rows[0]["params"].update(cap=3), (0, "params.cap"), "at most 2"),
        (lambda rows: rows[1]["params"].update(late_credit=-1), (1, "params.late_credit"), "least"),
        (lambda rows: rows[2]["params"].update(grace_days=1.5), (2, "params.grace_days"), "whole"),
        (lambda rows: rows[3]["params"].update(speed=1), (3, "params.speed"), "not a parameter"),
        (
            lambda rows: rows[4]["params"].update(when_no_data="maybe"),
            (4, "params.when_no_data"),
            "Choose one of",
        ),
        (lambda rows: rows[4].update(params=[1, 2]), (4, "params"), "named values"),
    ],
)
def test_each_kind_of_uncomputable_set_is_refused_with_its_reason(change, where, words):
    rows = copy.deepcopy(default_indicators())
    change(rows)
    found = problems_of(rows)
    assert where in found, found
    assert words in found[where]
    assert not check_indicators(rows).indicators


def test_an_empty_set_is_refused():
    assert problems_of([]) == {(None, ""): "Add at least one indicator."}


def test_weights_with_decimals_that_add_up_to_100_pass():
    rows = default_indicators()
    rows[0]["weight"], rows[1]["weight"] = "40.5", Decimal("19.5")
    assert check_indicators(rows).ok


class TestTheService:
    def test_a_refused_set_changes_nothing_and_says_where(self, world, indicator_set):
        before = AuditEntry.objects.count()
        rows = default_indicators()
        rows[2]["weight"] = 5
        rows[0]["params"]["cap"] = "x"
        with pytest.raises(ValidationError) as refused:
            services.indicator_set_save(
                jurisdiction=world.district,
                user=world.office,
                name="改过的",
                indicators=rows,
                indicator_set=indicator_set,
                version=indicator_set.version,
            )
        errors = refused.value.message_dict
        assert "add up to 95" in " ".join(errors["indicators"])
        assert "number" in " ".join(errors["indicators.0.params.cap"])
        indicator_set.refresh_from_db()
        assert indicator_set.name == "2026年度考核"
        assert (
            Indicator.objects.get(indicator_set=indicator_set, kind="reporting_on_time").weight
            == 10
        )
        assert AuditEntry.objects.count() == before

    def test_only_the_programme_office_writes_a_set(self, world):
        for person in (world.leader, world.owner_user, world.auditor, world.outsider):
            with pytest.raises(PermissionDenied):
                services.indicator_set_save(
                    jurisdiction=world.district,
                    user=person,
                    name="x",
                    indicators=default_indicators(),
                )
        assert not IndicatorSet.objects.exists()

    def test_a_change_is_audited_row_by_row_and_a_stale_version_is_refused(
        self, world, indicator_set
    ):
        rows = default_indicators(milestones={"late_credit": 0.5})
        rows[0]["weight"], rows[2]["weight"] = 35, 15
        saved = services.indicator_set_save(
            jurisdiction=world.district,
            user=world.office,
            name=indicator_set.name,
            indicators=rows,
            indicator_set=indicator_set,
            version=indicator_set.version,
        )
        assert saved.version == 2
        changed = AuditEntry.objects.filter(model="assessment.indicator", action="update")
        assert {e.after["kind"] for e in changed} == {"investment_completion", "reporting_on_time"}
        with pytest.raises(ValidationError, match="after you opened it"):
            services.indicator_set_save(
                jurisdiction=world.district,
                user=world.office,
                name=indicator_set.name,
                indicators=default_indicators(),
                indicator_set=indicator_set,
                version=1,
            )

    def test_one_set_is_in_use_per_jurisdiction(self, world, indicator_set):
        second = services.indicator_set_save(
            jurisdiction=world.district,
            user=world.office,
            name="2027年度考核",
            indicators=default_indicators(),
        )
        indicator_set.refresh_from_db()
        assert second.active and not indicator_set.active

    def test_a_set_periods_are_scored_with_is_kept(self, world, october):
        with pytest.raises(ValidationError, match="not deleted"):
            services.indicator_set_delete(indicator_set=october.indicator_set, user=world.office)


class TestTheForm:
    def post(self, client, url, **changes):
        data = {
            "name": "2026年度考核",
            "active": "on",
            "unit_basis": "by_kind",
            "red_list_size": 3,
            "black_list_size": 3,
            "black_below": "",
        }
        for kind, weight in [("investment_completion", 40), ("milestones", 20),
                             ("reporting_on_time", 10), ("problem_closure", 20),
                             ("safety", 10)]:  # fmt: skip
            data[f"{kind}-use"] = "on"
            data[f"{kind}-weight"] = weight
        data.update(
            {
                "investment_completion-cap": "1.2",
                "milestones-late_credit": "0",
                "reporting_on_time-grace_days": "0",
                "problem_closure-overdue_deduction": "2",
                "safety-overdue_hazard": "2",
                "safety-open_hazard": "0",
                "safety-incident_general": "5",
                "safety-incident_larger": "10",
                "safety-incident_major": "100",
                "safety-incident_especially_major": "100",
            }
        )
        for kind in ("investment_completion", "milestones", "reporting_on_time",
                     "problem_closure", "safety", "task_closure"):  # fmt: skip
            data[f"{kind}-when_no_data"] = "exclude"
        data.update(changes)
        return client.post(url, {k: v for k, v in data.items() if v is not None})

    def test_the_office_makes_a_set_from_the_form(self, world, en_client_for):
        response = self.post(en_client_for(world.office), "/assessment/sets/add/")
        assert response.status_code == 302
        made = IndicatorSet.objects.get()
        assert [(i.kind, i.weight) for i in made.indicators.all()] == [
            ("investment_completion", 40),
            ("milestones", 20),
            ("reporting_on_time", 10),
            ("problem_closure", 20),
            ("safety", 10),
        ]
        assert made.indicators.first().params == {"cap": 1.2, "when_no_data": "exclude"}

    def test_errors_appear_beside_their_inputs_and_nothing_is_saved(self, world, en_client_for):
        response = self.post(
            en_client_for(world.office),
            "/assessment/sets/add/",
            **{"milestones-weight": "-20", "investment_completion-cap": "5",
               "safety-incident_general": None},
        )  # fmt: skip
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "more than 0" in errors["milestones-weight"][0]
        assert "at most 2" in errors["investment_completion-cap"][0]
        assert "required" in errors["safety-incident_general"][0]
        page = response.content.decode()
        assert 'data-field="milestones-weight"' in page
        assert not IndicatorSet.objects.exists()

    def test_weights_that_do_not_add_up_are_refused_for_the_whole_set(self, world, en_client_for):
        response = self.post(
            en_client_for(world.office), "/assessment/sets/add/", **{"safety-use": None}
        )
        assert "add up to 90" in " ".join(response.context["form"].non_field_errors())
        assert not IndicatorSet.objects.exists()

    def test_a_leader_reads_the_set_but_cannot_change_it(self, world, en_client_for, indicator_set):
        leader = en_client_for(world.leader)
        assert leader.get(f"/assessment/sets/{indicator_set.pk}/").status_code == 200
        refused = self.post(leader, f"/assessment/sets/{indicator_set.pk}/", name="改名")
        assert refused.status_code == 403
        indicator_set.refresh_from_db()
        assert indicator_set.name == "2026年度考核"


class TestTheApi:
    def test_a_set_that_cannot_be_computed_answers_422_per_field(self, world, en_client_for):
        rows = default_indicators()
        rows[0]["weight"] = "-1"
        rows[3]["kind"] = "milestones"
        answer = en_client_for(world.office).post(
            "/api/assessment/indicator-sets/",
            {"name": "坏的", "indicators": rows},
            content_type="application/json",
        )
        assert answer.status_code == 422, answer.content
        errors = answer.json()["errors"]
        assert "indicators.0.weight" in errors and "indicators.3.kind" in errors
        assert not IndicatorSet.objects.exists()

    def test_the_office_writes_and_others_are_refused(self, world, en_client_for):
        body = {"name": "2026年度考核", "indicators": default_indicators()}
        denied = en_client_for(world.leader).post(
            "/api/assessment/indicator-sets/", body, content_type="application/json"
        )
        assert denied.status_code == 403
        made = en_client_for(world.office).post(
            "/api/assessment/indicator-sets/", body, content_type="application/json"
        )
        assert made.status_code == 201, made.content
        set_id, version = made.json()["id"], made.json()["version"]
        body["indicators"][0]["weight"], body["indicators"][1]["weight"] = 30, 30
        changed = en_client_for(world.office).put(
            f"/api/assessment/indicator-sets/{set_id}/",
            {**body, "version": version},
            content_type="application/json",
        )
        assert changed.status_code == 200, changed.content
        assert [i["weight"] for i in changed.json()["indicators"]][:2] == ["30.00", "30.00"]
        stale = en_client_for(world.office).put(
            f"/api/assessment/indicator-sets/{set_id}/",
            {**body, "version": version},
            content_type="application/json",
        )
        assert stale.status_code == 422
