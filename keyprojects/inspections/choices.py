from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InspectionKind(models.TextChoices):
    SAFETY = "safety", _("Work safety (安全生产)")
    QUALITY = "quality", _("Quality (品质)")
    EPIDEMIC = "epidemic", _("Epidemic control (疫情防控)")


class ItemSeverity(models.TextChoices):
    """How grave a failed checklist item is (一般隐患 / 重大隐患)."""

    GENERAL = "general", _("General hazard")
    MAJOR = "major", _("Major hazard")


class Outcome(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("Being recorded")
    COMPLETED = "completed", pgettext_lazy("inspection", "Completed")


class HazardStatus(models.TextChoices):
    OPEN = "open", _("To rectify")
    RETURNED = "returned", _("Returned for rectification")
    RECTIFIED = "rectified", _("Rectified, awaiting acceptance")
    CLOSED = "closed", _("Closed (销号)")
    CANCELLED = "cancelled", pgettext_lazy("hazard", "Cancelled")


# Waiting on the responsible unit: these are the ones that can be overdue.
AWAITING_RECTIFICATION = (HazardStatus.OPEN, HazardStatus.RETURNED)
UNRESOLVED = (HazardStatus.OPEN, HazardStatus.RETURNED, HazardStatus.RECTIFIED)


class IncidentKind(models.TextChoices):
    SAFETY = "safety", _("Work-safety accident")
    QUALITY = "quality", _("Quality accident")
    EPIDEMIC = "epidemic", _("Epidemic case")


class IncidentSeverity(models.TextChoices):
    """The four grades of the PRC classification (生产安全事故报告和调查处理条例, 第三条)."""

    GENERAL = "general", _("General (一般)")
    LARGER = "larger", _("Larger (较大)")
    MAJOR = "major", _("Major (重大)")
    ESPECIALLY_MAJOR = "especially_major", _("Especially major (特别重大)")


SEVERITY_RANK = {
    IncidentSeverity.GENERAL: 0,
    IncidentSeverity.LARGER: 1,
    IncidentSeverity.MAJOR: 2,
    IncidentSeverity.ESPECIALLY_MAJOR: 3,
}
