from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce, ExtractYear

from keyprojects.organisations.choices import Role

from .choices import Batch, Stage

if TYPE_CHECKING:
    from keyprojects.organisations.models import User


class ProjectQuerySet(models.QuerySet[Any]):
    """The one gate for who sees and who edits a project: every page, export and API uses it."""

    def visible_to(self, user: User | Any) -> ProjectQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        ids = user.visible_jurisdiction_ids()
        if ids is None:
            return self
        return self.filter(jurisdiction_id__in=ids)

    def editable_by(self, user: User | Any) -> ProjectQuerySet:
        visible = self.visible_to(user)
        if (
            getattr(user, "is_superuser", False)
            or getattr(user, "role", "") == Role.PROGRAMME_OFFICE
        ):
            return visible
        if getattr(user, "role", "") == Role.UNIT_USER and user.unit_id:
            return visible.filter(
                Q(owner_unit_id=user.unit_id) | Q(responsible_unit_id=user.unit_id)
            )
        return visible.none()

    def with_batch(self, year: int) -> ProjectQuerySet:
        """Annotate `batch` for `year`, the same rule as `derive_batch`, in SQL."""
        start_year = ExtractYear(Coalesce(F("actual_start"), F("planned_start")))
        end_year = ExtractYear(Coalesce(F("actual_completion"), F("planned_completion")))
        done = [Stage.COMPLETED, Stage.OPERATING]
        return self.annotate(
            _start_year=start_year,
            _end_year=end_year,
            batch=Case(
                When(stage=Stage.CANCELLED, then=Value(None)),
                When(stage=Stage.RESERVE, then=Value(Batch.RESERVE.value)),
                When(_start_year=year, then=Value(Batch.NEW_START.value)),
                When(stage__in=done, _end_year=year, then=Value(Batch.COMPLETED.value)),
                When(stage__in=done, then=Value(None)),
                When(stage=Stage.CONSTRUCTION, _end_year=year, then=Value(Batch.COMPLETED.value)),
                When(stage=Stage.CONSTRUCTION, then=Value(Batch.CONTINUING.value)),
                When(_start_year__lt=year, then=Value(Batch.NEW_START.value)),
                default=Value(Batch.RESERVE.value),
                output_field=models.CharField(),
            ),
        )
