from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from keyprojects.audit.signals import AuditedModel, audit

from .choices import JurisdictionLevel, Role, UnitKind


@audit
class Jurisdiction(AuditedModel):
    """An administrative division (行政区划): a city, or a district within it."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("division code"), max_length=12, unique=True)
    level = models.CharField(_("level"), max_length=20, choices=JurisdictionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self) -> str:
        return self.name

    def subtree_ids(self) -> list[int]:
        """This jurisdiction and every one below it."""
        ids = [self.pk]
        frontier = [self.pk]
        while frontier:
            frontier = list(
                Jurisdiction.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            ids.extend(frontier)
        return ids


@audit
class Unit(AuditedModel):
    """A department, management committee or company that owns or answers for projects."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="units"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)

    class Meta:
        ordering = ["jurisdiction__code", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "name"], name="unit_name_unique_in_jurisdiction"
            )
        ]

    def __str__(self) -> str:
        return self.name


@audit
class User(AuditedModel, AbstractUser):
    """A person with a role in one jurisdiction, and for unit users, a unit."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        label = self.full_name or self.position or self.username
        return f"{label}（{self.unit}）" if self.unit_id else label

    def visible_jurisdiction_ids(self) -> list[int] | None:
        """Jurisdictions whose records this person may read; None means all of them."""
        if self.is_superuser:
            return None
        if not self.jurisdiction_id or not self.role:
            return []
        cached: list[int] | None = getattr(self, "_visible_jurisdiction_ids", None)
        if cached is None:
            assert self.jurisdiction is not None
            cached = self.jurisdiction.subtree_ids()
            self._visible_jurisdiction_ids = cached
        return cached

    @property
    def is_programme_office(self) -> bool:
        return self.is_superuser or self.role == Role.PROGRAMME_OFFICE

    @property
    def can_read_audit(self) -> bool:
        return self.is_superuser or self.role in {Role.PROGRAMME_OFFICE, Role.AUDITOR}
