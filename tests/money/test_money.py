import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from keyprojects.money.models import Contract, Payment
from keyprojects.money.services import (
    contract_add,
    estimate_set,
    money_summary,
    payment_add,
    variation_add,
)

WAN = D(10000)


@pytest.fixture
def contract(world):
    estimate_set(project=world.project, amount=1000 * WAN)
    return contract_add(project=world.project, name="施工总承包", kind="construction",
                        contractor="中建某局", value=800 * WAN)  # fmt: skip


def test_budget_contracted_and_paid(world, contract):
    payment_add(contract=contract, amount=300 * WAN, paid_on=dt.date(2026, 5, 1))
    variation_add(contract=contract, amount=50 * WAN, reason="设计变更")
    summary = money_summary(world.project)
    assert (summary.estimate, summary.contracted, summary.paid) == (
        1000 * WAN,
        850 * WAN,
        300 * WAN,
    )
    assert summary.warnings == []


def test_a_contract_past_the_estimate_needs_a_reason_and_then_warns(world, contract):
    with pytest.raises(ValidationError):
        contract_add(project=world.project, name="监理", kind="supervision", contractor="某监理",
                     value=300 * WAN)  # fmt: skip
    assert Contract.objects.count() == 1
    contract_add(project=world.project, name="监理", kind="supervision", contractor="某监理",
                 value=300 * WAN, over_reason="概算调整报批中")  # fmt: skip
    assert money_summary(world.project).warnings


def test_a_payment_past_the_contract_value_is_refused(world, contract):
    with pytest.raises(ValidationError):
        payment_add(contract=contract, amount=801 * WAN, paid_on=dt.date(2026, 5, 1))
    assert not Payment.objects.exists()


def test_a_variation_cannot_cut_below_what_was_paid(world, contract):
    payment_add(contract=contract, amount=700 * WAN, paid_on=dt.date(2026, 5, 1))
    with pytest.raises(ValidationError):
        variation_add(contract=contract, amount=-200 * WAN, reason="核减")


def test_the_money_page_by_role(world, client_for, contract):
    url = f"/projects/{world.project.pk}/money/"
    assert client_for(world.leader).get(url).status_code == 200
    assert client_for(world.outsider).get(url).status_code == 404
    post = {"kind": "payment", "contract": contract.pk, "amount": "100", "paid_on": "2026-06-01"}
    assert client_for(world.leader).post(url, post).status_code == 403
    assert client_for(world.owner_user).post(url, post).status_code == 302
    assert Payment.objects.get().amount == 100 * WAN


def test_the_page_reports_a_refused_payment_in_place(world, client_for, contract):
    url = f"/projects/{world.project.pk}/money/"
    post = {"kind": "payment", "contract": contract.pk, "amount": "900", "paid_on": "2026-06-01"}
    response = client_for(world.office).post(url, post)
    assert response.status_code == 200 and response.context["forms"]["payment"].errors
    assert not Payment.objects.exists()
