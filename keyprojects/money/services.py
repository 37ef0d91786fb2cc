"""Budget against contracts against payments, and the warnings when they pass the estimate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from keyprojects.projects.models import Project

from .models import Contract, Estimate, Funding, Payment, Variation

ZERO = Decimal(0)


@dataclass
class MoneySummary:
    estimate: Decimal | None
    funding_planned: Decimal
    funding_arrived: Decimal
    contracted: Decimal
    paid: Decimal
    warnings: list[str] = field(default_factory=list)

    @property
    def paid_share(self) -> Decimal | None:
        if not self.contracted:
            return None
        return (self.paid * 100 / self.contracted).quantize(Decimal("0.1"))


def contracted_total(project: Project) -> Decimal:
    values = Contract.objects.filter(project=project).aggregate(s=Sum("value"))["s"] or ZERO
    changes = Variation.objects.filter(contract__project=project).aggregate(s=Sum("amount"))["s"]
    return values + (changes or ZERO)


def paid_total(project: Project) -> Decimal:
    return Payment.objects.filter(contract__project=project).aggregate(s=Sum("amount"))["s"] or ZERO


def money_summary(project: Project) -> MoneySummary:
    estimate = Estimate.objects.filter(project=project).values_list("amount", flat=True).first()
    funding = Funding.objects.filter(project=project).aggregate(
        planned=Sum("amount"), arrived=Sum("arrived")
    )
    summary = MoneySummary(
        estimate=estimate,
        funding_planned=funding["planned"] or ZERO,
        funding_arrived=funding["arrived"] or ZERO,
        contracted=contracted_total(project),
        paid=paid_total(project),
    )
    if estimate is not None and summary.contracted > estimate:
        summary.warnings.append(_("Contracts pass the approved estimate (概算)."))
    if estimate is not None and summary.paid > estimate:
        summary.warnings.append(_("Payments pass the approved estimate (概算)."))
    if summary.paid > summary.contracted:
        summary.warnings.append(_("Payments pass the value of the contracts."))
    return summary


def _over_estimate(project: Project, extra: Decimal) -> bool:
    estimate = Estimate.objects.filter(project=project).values_list("amount", flat=True).first()
    return estimate is not None and contracted_total(project) + extra > estimate


def estimate_set(*, project: Project, amount: Decimal, **fields: Any) -> Estimate:
    with transaction.atomic():
        estimate = Estimate.objects.filter(project=project).first() or Estimate(project=project)
        estimate.amount = amount
        for name, value in fields.items():
            setattr(estimate, name, value)
        estimate.full_clean()
        estimate.save()
    return estimate


def funding_add(*, project: Project, **fields: Any) -> Funding:
    funding = Funding(project=project, **fields)
    funding.full_clean()
    if funding.arrived > funding.amount:
        raise ValidationError({"arrived": _("More cannot arrive than was planned.")})
    funding.save()
    return funding


def contract_add(
    *,
    project: Project,
    name: str,
    kind: str,
    contractor: str,
    value: Decimal,
    signed_on: dt.date | None = None,
    over_reason: str = "",
) -> Contract:
    """A contract that takes the contracted total past the estimate needs a stated reason."""
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if _over_estimate(project, value) and not over_reason.strip():
            raise ValidationError(
                {"over_reason": _("This contract passes the approved estimate; give the reason.")}
            )
        contract = Contract(
            project=project, name=name, kind=kind, contractor=contractor, value=value,
            signed_on=signed_on, over_reason=over_reason.strip(),
        )  # fmt: skip
        contract.full_clean()
        contract.save()
    return contract


def variation_add(*, contract: Contract, amount: Decimal, reason: str, **fields: Any) -> Variation:
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the variation.")})
    with transaction.atomic():
        total = contract.value + (contract.variations.aggregate(s=Sum("amount"))["s"] or ZERO)
        if total + amount < paid_on_contract(contract):
            raise ValidationError(
                {"amount": _("The contract would be worth less than has been paid on it.")}
            )
        variation = Variation(contract=contract, amount=amount, reason=reason.strip(), **fields)
        variation.full_clean()
        variation.save()
    return variation


def paid_on_contract(contract: Contract) -> Decimal:
    return contract.payments.aggregate(s=Sum("amount"))["s"] or ZERO


def payment_add(
    *, contract: Contract, amount: Decimal, paid_on: dt.date, note: str = ""
) -> Payment:
    """A payment past the contract's value (with variations) is refused."""
    with transaction.atomic():
        Contract.objects.select_for_update().filter(pk=contract.pk).first()
        worth = contract.value + (contract.variations.aggregate(s=Sum("amount"))["s"] or ZERO)
        if paid_on_contract(contract) + amount > worth:
            raise ValidationError(
                {"amount": _("This payment passes the contract's value; record a variation first.")}
            )
        payment = Payment(contract=contract, amount=amount, paid_on=paid_on, note=note)
        payment.full_clean()
        payment.save()
    return payment
