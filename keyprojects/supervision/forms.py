from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keyprojects.organisations.models import Unit, User
from keyprojects.projects.models import Project
from keyprojects.web.widgets import DateInput


class _Fields:
    fields: dict[str, forms.Field]

    def _field(self, name: str) -> Any:
        return cast(Any, self.fields[name])


class TaskForm(_Fields, forms.Form):
    """A task the office or a leader gives directly (an instruction, 批示)."""

    title = forms.CharField(label=_("Task"), max_length=300)
    detail = forms.CharField(
        label=_("Detail"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    owner_unit = forms.ModelChoiceField(label=_("Assigned unit"), queryset=Unit.objects.none())
    owner_person = forms.ModelChoiceField(
        label=_("Person responsible"), queryset=User.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    needs_evidence = forms.BooleanField(label=_("Evidence required"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = user.visible_jurisdiction_ids()
        units = Unit.objects.all() if ids is None else Unit.objects.filter(jurisdiction_id__in=ids)
        self._field("owner_unit").queryset = units.order_by("name")
        self._field("owner_person").queryset = User.objects.filter(
            unit__in=units, is_active=True
        ).order_by("unit__name", "username")
        self._field("project").queryset = Project.objects.visible_to(user).order_by("name")

    def clean_deadline(self) -> Any:
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline has already passed."))
        return deadline

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person, unit = data.get("owner_person"), data.get("owner_unit")
        if person and unit and person.unit_id != unit.pk:
            self.add_error(
                "owner_person", _("The person responsible must belong to the owner unit.")
            )
        return data


class TaskFilter(_Fields, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    source_kind = forms.ChoiceField(label=_("Source"), required=False)
    owner_unit = forms.ModelChoiceField(
        label=_("Assigned unit"), queryset=Unit.objects.none(), required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    project = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from .choices import SourceKind, TaskStatus

        super().__init__(*args, **kwargs)
        ids = user.visible_jurisdiction_ids()
        units = Unit.objects.all() if ids is None else Unit.objects.filter(jurisdiction_id__in=ids)
        self._field("owner_unit").queryset = units.order_by("name")
        self._field("status").choices = [
            ("", pgettext_lazy("task status", "Open")),
            ("any", _("Any")),
            *TaskStatus.choices,
        ]
        self._field("source_kind").choices = [("", _("Any")), *SourceKind.choices]
