from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.organisations.models import Unit

from .choices import ConstraintKind, RelationKind
from .models import Activity, wall

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ScheduleFileForm(forms.Form):
    file = forms.FileField(label=_("P6 .xer or MS Project .xml file"))


class ScheduleDatesForm(forms.Form):
    data_date = forms.DateTimeField(label=_("Data date"), widget=MOMENT)
    deadline = forms.DateTimeField(label=_("Deadline (must finish by)"), required=False,
                                   widget=MOMENT)  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput)


class ActivityForm(forms.Form):
    """Dates and progress of one activity, in working days of its calendar."""

    duration_days = forms.DecimalField(label=_("Duration (working days)"), min_value=Decimal(0),
                                       max_digits=8, decimal_places=2)  # fmt: skip
    remaining_days = forms.DecimalField(
        label=_("Remaining (working days)"), min_value=Decimal(0), max_digits=8,
        decimal_places=2, required=False,
    )  # fmt: skip
    actual_start = forms.DateTimeField(label=_("Actual start"), required=False, widget=MOMENT)
    actual_finish = forms.DateTimeField(label=_("Actual finish"), required=False, widget=MOMENT)
    constraint = forms.ChoiceField(
        label=_("Constraint"), choices=[("", "—"), *ConstraintKind.choices], required=False
    )
    constraint_date = forms.DateTimeField(label=_("Constraint date"), required=False,
                                          widget=MOMENT)  # fmt: skip
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_activity(
        cls, activity: Activity, version: int, data: Any = None, units: Any = None
    ) -> ActivityForm:
        per_day = 60 * (activity.hours_per_day or 8)
        initial = {
            "duration_days": round(Decimal(activity.original_minutes) / Decimal(per_day), 2),
            "remaining_days": None
            if activity.remaining_minutes is None
            else round(Decimal(activity.remaining_minutes) / Decimal(per_day), 2),
            "actual_start": wall(activity.actual_start),
            "actual_finish": wall(activity.actual_finish),
            "constraint": activity.constraint,
            "constraint_date": wall(activity.constraint_date),
            "responsible_unit": activity.responsible_unit_id,
            "version": version,
        }
        form = cls(data, initial=initial)
        form.fields["responsible_unit"].queryset = units  # type: ignore[attr-defined]
        for field in form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")
        return form

    def changes(self, activity: Activity) -> dict[str, Any]:
        """The fields to save, converted back to working minutes and naive times."""
        data = self.cleaned_data
        per_day = Decimal(60 * (activity.hours_per_day or 8))

        def naive(value: dt.datetime | None) -> dt.datetime | None:
            return None if value is None else value.replace(tzinfo=None)

        remaining = data.get("remaining_days")
        return {
            "original_minutes": int(data["duration_days"] * per_day),
            "remaining_minutes": None if remaining is None else int(remaining * per_day),
            "actual_start": naive(data.get("actual_start")),
            "actual_finish": naive(data.get("actual_finish")),
            "constraint": data.get("constraint") or "",
            "constraint_date": naive(data.get("constraint_date")),
            "responsible_unit": data.get("responsible_unit"),
        }


class ScheduleCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    days_per_week = forms.TypedChoiceField(
        label=_("Working week"),
        coerce=int,
        choices=[(5, _("5 days (Monday to Friday)")), (6, _("6 days (Monday to Saturday)")),
                 (7, _("7 days"))],
    )  # fmt: skip
    data_date = forms.DateTimeField(label=_("Start / data date"), widget=MOMENT)
    deadline = forms.DateTimeField(
        label=_("Deadline (must finish by)"), required=False, widget=MOMENT,
        help_text=_("Leave empty to use the project's planned completion."),
    )  # fmt: skip


class ActivityAddForm(forms.Form):
    code = forms.CharField(label=_("Activity code"), max_length=100)
    name = forms.CharField(label=_("Name"), max_length=300)
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[("task", _("Task")), ("start_milestone", _("Start milestone")),
                 ("finish_milestone", _("Finish milestone"))],
    )  # fmt: skip
    duration_days = forms.DecimalField(
        label=_("Duration (working days)"), min_value=Decimal(0), max_digits=8, decimal_places=2,
        initial=5,
    )  # fmt: skip
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RelationAddForm(forms.Form):
    predecessor = forms.ModelChoiceField(label=_("Predecessor"), queryset=Activity.objects.none())
    successor = forms.ModelChoiceField(label=_("Successor"), queryset=Activity.objects.none())
    kind = forms.ChoiceField(label=_("Type"), choices=RelationKind.choices, initial="FS")
    lag_days = forms.DecimalField(
        label=_("Lag (working days, may be negative)"), max_digits=8, decimal_places=2,
        initial=0, required=False,
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput)


class CalendarExceptionForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    working = forms.TypedChoiceField(
        label=_("That day is"),
        coerce=lambda v: v == "1",
        choices=[("0", _("a day off (holiday)")), ("1", _("a working day (调休)"))],
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


def style(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", f"{css} {css}-sm")
    return form
