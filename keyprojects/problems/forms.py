from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keyprojects.organisations.models import Unit
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import Project
from keyprojects.supervision.choices import TaskStatus
from keyprojects.supervision.sources import tasks_of
from keyprojects.web.widgets import DateInput

from . import files
from .choices import Category, ProblemStatus, Severity
from .models import Problem


class _Fields:
    fields: dict[str, forms.Field]

    def _field(self, name: str) -> Any:
        return cast(Any, self.fields[name])


def units_for(user: Any) -> Any:
    ids = user.visible_jurisdiction_ids()
    units = Unit.objects.all() if ids is None else Unit.objects.filter(jurisdiction_id__in=ids)
    return units.order_by("name")


def raisable_projects(user: Any) -> Any:
    """Projects the person may raise a problem on: every one of the office's; a unit's own
    and those it answers for."""
    projects = (
        Project.objects.visible_to(user)
        if user.is_programme_office
        else Project.objects.editable_by(user)
    )
    return projects.exclude(stage=Stage.CANCELLED).order_by("name")


class RaiseForm(_Fields, forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    raised_by_unit = forms.ModelChoiceField(
        label=_("Raised by unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("The office records the problem for the project's owner or responsible unit."),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", "---------"), *Category.choices]
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.GENERAL,
        help_text=_("Sets the time the units have once the office assigns it."),
    )
    title = forms.CharField(label=_("Problem"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    need = forms.CharField(label=_("What is needed"), widget=forms.Textarea(attrs={"rows": 2}))
    needed_from_unit = forms.ModelChoiceField(
        label=_("Needed from (unit)"), queryset=Unit.objects.none(), required=False
    )
    needed_from = forms.CharField(
        label=_("Needed from (other)"),
        max_length=200,
        required=False,
        help_text=_("A body outside the system, e.g. a city department or the power company."),
    )
    attachment = forms.FileField(
        label=_("Photo or file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        projects = raisable_projects(user)
        self._field("project").queryset = projects
        if not self.is_bound and "project" not in self.initial:
            only = list(projects[:2])
            if len(only) == 1:
                self.initial["project"] = only[0].pk
        units = units_for(user)
        self._field("needed_from_unit").queryset = units
        if user.is_programme_office:
            # Only units that own or answer for a project can raise a problem on it.
            self._field("raised_by_unit").queryset = units.filter(
                Q(owned_projects__in=projects) | Q(answered_projects__in=projects)
            ).distinct()
            self._field("raised_by_unit").required = True
        else:
            del self.fields["raised_by_unit"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        project, unit = data.get("project"), data.get("raised_by_unit")
        if project and unit and unit.pk not in {project.owner_unit_id, project.responsible_unit_id}:
            self.add_error(
                "raised_by_unit",
                _("A problem is raised by the project's owner or responsible unit."),
            )
        upload = data.get("attachment")
        if upload:
            try:
                files.check(upload)
            except forms.ValidationError as error:
                self.add_error("attachment", error)
        return data


class AssignForm(_Fields, forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Responsible units"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty for the time the severity gives."),
    )
    note = forms.CharField(
        label=_("Instructions"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("severity", problem.severity)
        if problem.needed_from_unit_id:
            kwargs["initial"].setdefault("units", [problem.needed_from_unit_id])
        super().__init__(*args, **kwargs)
        working = tasks_of(problem).filter(status__in=[TaskStatus.OPEN, TaskStatus.SUBMITTED])
        self._field("units").queryset = (
            Unit.objects.filter(jurisdiction_id__in=problem.jurisdiction.subtree_ids())
            .exclude(pk=problem.raised_by_unit_id)
            .exclude(pk__in=working.values("owner_unit_id"))
            .order_by("name")
        )


class RespondForm(forms.Form):
    text = forms.CharField(label=_("Response"), widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(
        label=_("Photo or file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}),
    )
    done = forms.BooleanField(label=_("Our part is done"), required=False)


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Satisfaction"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ProblemFilter(_Fields, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Raised by it or assigned to it."),
    )
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("unit").queryset = units_for(user)
        self._field("project").queryset = Project.objects.visible_to(user).order_by("name")
        self._field("status").choices = [
            ("", pgettext_lazy("problems", "Open")),
            ("any", _("Any")),
            *ProblemStatus.choices,
        ]
        self._field("category").choices = [("", _("Any")), *Category.choices]
        self._field("severity").choices = [("", _("Any")), *Severity.choices]


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    end = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period must not be before its start."))
        return data
