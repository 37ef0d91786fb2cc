from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from keyprojects.organisations.models import Unit
from keyprojects.projects.forms import WanYuanField
from keyprojects.projects.models import Project
from keyprojects.web.widgets import DateInput, bootstrap

from .choices import (
    HazardStatus,
    IncidentKind,
    IncidentSeverity,
    InspectionKind,
    InspectionStatus,
    ItemSeverity,
    Outcome,
)
from .models import ChecklistItem, ChecklistTemplate, InspectionResult

PHOTO_TYPES = "image/jpeg,image/png,image/heic,image/heif"


def set_choices(form: forms.BaseForm, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


def units_for(user: Any) -> Any:
    ids = user.visible_jurisdiction_ids()
    units = Unit.objects.all() if ids is None else Unit.objects.filter(jurisdiction_id__in=ids)
    return units.order_by("name")


class InspectionStartForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    template = forms.ModelChoiceField(
        label=_("Checklist"), queryset=ChecklistTemplate.objects.none()
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    inspectors = forms.CharField(label=_("Inspectors"), max_length=200)
    inspecting_unit = forms.ModelChoiceField(
        label=_("Inspecting unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Empty for the programme office."),
    )
    note = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "project", Project.objects.editable_by(user).order_by("name"))
        set_choices(
            self,
            "template",
            (
                ChecklistTemplate.objects.visible_to(user)
                .filter(active=True)
                .order_by("kind", "name")
            ),
        )
        set_choices(self, "inspecting_unit", units_for(user))
        bootstrap(self, small=False)

    def clean_date(self) -> Any:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("An inspection cannot be dated in the future."))
        return date


class SeenForm(forms.Form):
    """A form that posts back, beside each field in `SEEN`, the value the page showed, so
    that saving changes only what this person changed (`changed`) and tells what someone else
    changed meanwhile (`seen`)."""

    SEEN: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.SEEN:
            self.fields[name].show_hidden_initial = True

    def seen_inputs(self) -> SafeString:
        """The hidden inputs, for a template that draws the fields itself."""
        return mark_safe("".join(str(self[n].as_hidden(only_initial=True)) for n in self.SEEN))

    def has_seen(self) -> bool:
        return all(self.add_initial_prefix(name) in self.data for name in self.SEEN)

    def changed(self) -> set[str]:
        """The fields this person changed (all of them, from a page without what it showed)."""
        if not self.has_seen():
            return set(self.SEEN)
        return set(self.changed_data) & set(self.SEEN)

    def seen(self, name: str) -> Any:
        field = self.fields[name]
        raw = field.hidden_widget().value_from_datadict(
            self.data, self.files, self.add_initial_prefix(name)
        )
        try:
            value = field.to_python(raw)
        except ValidationError:
            return None
        return value.pk if isinstance(value, models.Model) else value


class InspectionHeaderForm(SeenForm):
    SEEN = ("date", "inspectors", "note")

    date = forms.DateField(label=_("Date"), widget=DateInput())
    inspectors = forms.CharField(label=_("Inspectors"), max_length=200)
    note = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self, small=False)


class ResultForm(SeenForm):
    """One item of the checklist on the recording page (prefix `r<result id>`)."""

    SEEN = ("outcome", "note", "deadline", "responsible_unit")

    outcome = forms.ChoiceField(
        label=_("Result"), choices=Outcome.choices, widget=forms.RadioSelect, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": PHOTO_TYPES, "capture": "environment"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)
    deadline = forms.DateField(label=_("Rectify by"), widget=DateInput(), required=False)
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args: Any, result: InspectionResult, units: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"r{result.pk}")
        kwargs.setdefault(
            "initial",
            {
                "outcome": result.outcome,
                "note": result.note,
                "deadline": result.deadline,
                "responsible_unit": result.responsible_unit_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.result = result
        set_choices(self, "responsible_unit", units)
        self.fields["photo"].widget = forms.FileInput(
            attrs={"accept": PHOTO_TYPES, "capture": "environment"}
        )
        bootstrap(self)


class InspectionFilter(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any")), *InspectionKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *InspectionStatus.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


HAZARD_STATES = [
    ("", _("To rectify")),
    ("overdue", _("Overdue")),
    ("unresolved", _("Not closed")),
    (HazardStatus.RECTIFIED.value, HazardStatus.RECTIFIED.label),
    (HazardStatus.CLOSED.value, HazardStatus.CLOSED.label),
    (HazardStatus.CANCELLED.value, HazardStatus.CANCELLED.label),
    ("any", _("Any")),
]


class HazardFilter(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(label=_("Status"), choices=HAZARD_STATES, required=False)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("Any")), *ItemSeverity.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any")), *InspectionKind.choices], required=False
    )
    unit = forms.ModelChoiceField(
        label=_("Responsible unit"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit", units_for(user))
        bootstrap(self)


class IncidentForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    severity = forms.ChoiceField(
        label=_("Grade"),
        choices=[("", _("By the figures")), *IncidentSeverity.choices],
        required=False,
        help_text=_(
            "Left empty, the least grade the casualties and the loss allow; a lower one is refused."
        ),
    )
    deaths = forms.IntegerField(label=_("Deaths"), min_value=0, initial=0)
    serious_injuries = forms.IntegerField(
        label=_("Serious injuries"), min_value=0, initial=0, help_text=_("Including poisoning.")
    )
    direct_loss = WanYuanField(label=_("Direct economic loss (10,000 yuan)"), initial=0)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3})
    )
    measures = forms.CharField(
        label=_("Measures taken"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "project", Project.objects.editable_by(user).order_by("name"))
        bootstrap(self, small=False)


class TemplateForm(forms.ModelForm[ChecklistTemplate]):
    class Meta:
        model = ChecklistTemplate
        fields = ["name", "kind", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ItemForm(forms.ModelForm[ChecklistItem]):
    class Meta:
        model = ChecklistItem
        fields = ["text", "category", "severity", "rectification_days"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
