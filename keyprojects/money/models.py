"""Where a project's money comes from and where it goes: funding, contracts, payments."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel, audit
from keyprojects.projects.models import YUAN, Project

POSITIVE = [MinValueValidator(Decimal(0))]


class FundingKind(models.TextChoices):
    CENTRAL = "central", _("Central budget")
    MUNICIPAL = "municipal", _("Municipal budget")
    DISTRICT = "district", _("District budget")
    SPECIAL_BONDS = "special_bonds", _("Special bonds")
    BANK_LOANS = "bank_loans", _("Bank loans")
    SELF_RAISED = "self_raised", _("Self-raised")
    OTHER = "other", _("Other")


class ContractKind(models.TextChoices):
    CONSTRUCTION = "construction", _("Construction")
    SUPERVISION = "supervision", _("Supervision")
    DESIGN = "design", _("Design")
    SURVEY = "survey", _("Survey")
    EQUIPMENT = "equipment", _("Equipment and materials")
    OTHER = "other", _("Other")


@audit
class Estimate(AuditedModel):
    """The approved budget estimate (概算) that contracts and payments must stay within."""

    project = models.OneToOneField(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="estimate"
    )
    amount = models.DecimalField(_("approved estimate (yuan)"), validators=POSITIVE, **YUAN)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    document = models.CharField(_("approval document"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("approved estimate")
        verbose_name_plural = _("approved estimates")

    def __str__(self) -> str:
        return f"{self.project}: {self.amount}"


@audit
class Funding(AuditedModel):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="funding"
    )
    kind = models.CharField(_("source"), max_length=20, choices=FundingKind.choices)
    amount = models.DecimalField(_("amount planned (yuan)"), validators=POSITIVE, **YUAN)
    arrived = models.DecimalField(
        _("amount arrived (yuan)"), validators=POSITIVE, default=Decimal(0), **YUAN
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["project", "kind"]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")

    def __str__(self) -> str:
        return f"{self.project}: {self.get_kind_display()}"


@audit
class Contract(AuditedModel):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="contracts"
    )
    name = models.CharField(_("contract"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ContractKind.choices)
    contractor = models.CharField(_("contractor"), max_length=200)
    value = models.DecimalField(_("contract value (yuan)"), validators=POSITIVE, **YUAN)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    over_reason = models.TextField(_("reason for passing the estimate"), blank=True)

    class Meta:
        ordering = ["project", "signed_on", "id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return self.name


@audit
class Variation(AuditedModel):
    """A change to a contract's value (变更), up or down."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="variations"
    )
    amount = models.DecimalField(_("change in value (yuan)"), **YUAN)
    reason = models.TextField(_("reason"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    class Meta:
        ordering = ["contract", "id"]
        verbose_name = _("variation")
        verbose_name_plural = _("variations")

    def __str__(self) -> str:
        return f"{self.contract}: {self.amount}"


@audit
class Payment(AuditedModel):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="payments"
    )
    amount = models.DecimalField(_("amount paid (yuan)"), validators=POSITIVE, **YUAN)
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["contract", "paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.contract}: {self.amount}"
