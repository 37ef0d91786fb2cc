"""Preliminary procedures (前期手续): the approval steps between a project and 开工."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel, audit
from keyprojects.organisations.models import Jurisdiction, Unit
from keyprojects.projects.models import Project


class TemplateKind(models.TextChoices):
    GOVERNMENT = "government", _("Government-funded (approval)")
    FILING = "filing", _("Enterprise, filing (备案)")
    APPROVAL = "approval", _("Enterprise, approval (核准)")


class Phase(models.TextChoices):
    """The four phases of the 2019 reform."""

    PROJECT_LAND = "project_land", _("Project approval and land-use planning")
    CONSTRUCTION_PERMIT = "construction_permit", _("Construction project permit")
    WORKS_PERMIT = "works_permit", _("Construction works permit")
    ACCEPTANCE = "acceptance", _("Completion acceptance")


@audit
class ProcedureTemplate(AuditedModel):
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=TemplateKind.choices)

    class Meta:
        ordering = ["jurisdiction", "kind", "name"]
        verbose_name = _("procedure template")
        verbose_name_plural = _("procedure templates")

    def __str__(self) -> str:
        return self.name


@audit
class TemplateStep(AuditedModel):
    template = models.ForeignKey(ProcedureTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("step"), max_length=100)
    phase = models.CharField(_("phase"), max_length=30, choices=Phase.choices)
    department = models.CharField(_("usual department"), max_length=100, blank=True)
    before_start = models.BooleanField(_("needed before works start"), default=True)

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("template step")
        verbose_name_plural = _("template steps")

    def __str__(self) -> str:
        return self.name


class StepStatus(models.TextChoices):
    TODO = "todo", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_NEEDED = "not_needed", _("Not needed")


@audit
class ProcedureStep(AuditedModel):
    """One approval step of one project's checklist."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="procedures"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("step"), max_length=100)
    phase = models.CharField(_("phase"), max_length=30, choices=Phase.choices)
    department = models.ForeignKey(
        Unit, verbose_name=_("department"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    department_name = models.CharField(_("department"), max_length=100, blank=True)
    before_start = models.BooleanField(_("needed before works start"), default=True)
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.TODO
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_finish = models.DateField(_("planned finish"), null=True, blank=True)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    document = models.FileField(_("document"), upload_to="procedures/%Y/", blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["project", "position"]
        verbose_name = _("procedure step")
        verbose_name_plural = _("procedure steps")

    def __str__(self) -> str:
        return f"{self.project}: {self.name}"

    @property
    def duration_days(self) -> int | None:
        if self.applied_on and self.approved_on:
            return (self.approved_on - self.applied_on).days
        return None

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        return (
            self.status in (StepStatus.TODO, StepStatus.IN_PROGRESS)
            and self.planned_finish is not None
            and self.planned_finish < timezone.localdate()
        )
