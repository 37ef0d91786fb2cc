"""The cockpit's kept figures: per year and jurisdiction, everything the cockpit sums, worked
out set-wise from the ledger, reports, lights, tasks and problems (see `snapshots.py`).

Derived rows, never typed by anyone: not audited (writing them must not move the audit
trail's head, which is how they know they are out of date)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.organisations.models import Jurisdiction


class SnapshotState(models.Model):
    """When a year's figures were last worked out, and from which state of the data."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source_seq = models.PositiveBigIntegerField(
        _("audit trail position"), help_text=_("The audit trail's head when the build began.")
    )
    built_at = models.DateTimeField(_("built"))
    built_for = models.DateField(_("as of day"), help_text=_("Overdue counts are as of this day."))
    build_seconds = models.FloatField(_("build time (s)"), default=0)
    refresh_requested_at = models.DateTimeField(_("refresh requested"), null=True, blank=True)

    class Meta:
        verbose_name = _("cockpit figures state")
        verbose_name_plural = _("cockpit figures states")

    def __str__(self) -> str:
        return f"{self.year} @ {self.source_seq}"


class Snapshot(models.Model):
    """One jurisdiction's figures for one year, by owner unit and month."""

    year = models.PositiveSmallIntegerField(_("year"))
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("cockpit figures")
        verbose_name_plural = _("cockpit figures")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "jurisdiction"], name="cockpit_snapshot_unique_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.year}"


class SnapshotMap(models.Model):
    """One jurisdiction's projects on the map for one month: the first ones by light (red
    first) and size, up to the map's limit."""

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.CASCADE, related_name="+"
    )
    points = models.JSONField(_("points"))

    class Meta:
        verbose_name = _("cockpit map")
        verbose_name_plural = _("cockpit maps")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "jurisdiction"], name="cockpit_map_unique_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.year}-{self.month:02d}"
