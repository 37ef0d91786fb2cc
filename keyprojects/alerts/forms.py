from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.organisations.models import Unit

from .choices import RECORD_KINDS, AlertKind, AlertStatus, Owner, Severity
from .models import AlertRule
from .params import SPECS, check_params, check_rule


class _Fields:
    fields: dict[str, forms.Field]

    def _field(self, name: str) -> Any:
        return cast(Any, self.fields[name])


class AlertFilter(_Fields, forms.Form):
    q = forms.CharField(label=_("Project or subject"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Answered for by"), queryset=Unit.objects.none(), required=False
    )
    project = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = user.visible_jurisdiction_ids()
        units = Unit.objects.all() if ids is None else Unit.objects.filter(jurisdiction_id__in=ids)
        self._field("unit").queryset = units.order_by("name")
        self._field("status").choices = [
            ("", _("Open or acknowledged")),
            ("any", _("Any")),
            *AlertStatus.choices,
        ]
        self._field("severity").choices = [("", _("Any")), *Severity.choices]
        self._field("kind").choices = [("", _("Any")), *AlertKind.choices]


class ActForm(forms.Form):
    action = forms.ChoiceField(choices=[("acknowledge", "acknowledge"), ("resolve", "resolve")])
    note = forms.CharField(required=False)
    version = forms.IntegerField(required=False)


def _param_field(name: str, spec: Any) -> forms.Field:
    kind = forms.IntegerField if spec.whole else forms.FloatField
    return kind(
        label=spec.label,
        help_text=spec.help,
        required=False,
        widget=forms.NumberInput(attrs={"step": "1" if spec.whole else "any"}),
    )


class RuleForm(_Fields, forms.Form):
    """One rule's settings. Its thresholds are checked by the same rule as the API's, and a
    refusal says why next to the setting it is about."""

    enabled = forms.BooleanField(label=_("On"), required=False)
    owner = forms.ChoiceField(label=_("Answered for by"), choices=Owner.choices)
    creates_task = forms.BooleanField(label=_("Makes a supervised task"), required=False)
    task_severity = forms.ChoiceField(label=_("From severity"), choices=Severity.choices)
    task_deadline_days = forms.IntegerField(label=_("Task deadline (days)"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, rule: AlertRule, **kwargs: Any) -> None:
        self.rule = rule
        initial = {
            "enabled": rule.enabled,
            "owner": rule.owner,
            "creates_task": rule.creates_task,
            "task_severity": rule.task_severity,
            "task_deadline_days": rule.task_deadline_days,
            "version": rule.version,
        }
        for spec in SPECS[rule.kind]:
            initial[f"p_{spec.name}"] = (rule.params or {}).get(spec.name)
        kwargs.setdefault("initial", initial)
        kwargs.setdefault("prefix", f"r{rule.pk}")
        super().__init__(*args, **kwargs)
        self.param_names = [spec.name for spec in SPECS[rule.kind]]
        for spec in SPECS[rule.kind]:
            self.fields[f"p_{spec.name}"] = _param_field(spec.name, spec)
        if rule.kind not in RECORD_KINDS:
            self._field("owner").choices = [c for c in Owner.choices if c[0] != Owner.RECORD_UNIT]
        if rule.kind == AlertKind.TASK_OVERDUE:
            self._field("creates_task").disabled = True
            self._field("creates_task").help_text = _(
                "An overdue task is already a supervised task."
            )

    def param_fields(self) -> list[forms.BoundField]:
        return [self[f"p_{name}"] for name in self.param_names]

    def task_fields(self) -> list[forms.BoundField]:
        return [self["owner"], self["creates_task"], self["task_severity"],
                self["task_deadline_days"]]  # fmt: skip

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(f"p_{name}") for name in self.param_names}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, messages in check_params(self.rule.kind, self.params()).items():
            field = f"p_{name}" if f"p_{name}" in self.fields else None
            for message in messages:
                if field is None or field not in self.errors:
                    self.add_error(field, message)
        if "task_deadline_days" in data and "owner" in data:
            problems = check_rule(
                kind=self.rule.kind,
                creates_task=bool(data.get("creates_task")),
                owner=data["owner"],
                task_severity=data.get("task_severity", ""),
                task_deadline_days=data["task_deadline_days"],
            )
            for name, messages in problems.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return data
