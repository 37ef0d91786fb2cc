from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.organisations.models import Unit

from .choices import Stage
from .models import AnnualPlan, Project
from .services import allowed_transitions

WAN = Decimal(10000)


class WanYuanField(forms.DecimalField):
    """An amount typed in 万元 and stored in yuan."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 6)
        kwargs.setdefault("min_value", Decimal(0))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return (value / WAN).normalize()
        return value

    def clean(self, value: Any) -> Decimal | None:
        wan = super().clean(value)
        return None if wan is None else (wan * WAN).quantize(Decimal("0.01"))


class BootstrapMixin:
    def _style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            css = (
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else ("form-control form-control-sm")
            )
            widget.attrs.setdefault("class", css)


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(BootstrapMixin, forms.ModelForm):  # type: ignore[type-arg]
    total_investment = WanYuanField(label=_("Total investment (10,000 yuan)"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = [
            "code", "name", "level", "industry", "site", "latitude", "longitude",
            "scale_and_content", "owner_unit", "responsible_unit", "responsible_person",
            "contact", "leader_in_charge", "start_year", "end_year", "planned_start",
            "planned_completion", "actual_start", "actual_completion", "total_investment",
            "funding_sources", "progress_percent", "progress_text", "preliminary_progress",
            "problems_text", "next_steps",
        ]  # fmt: skip
        widgets = {
            "planned_start": DATE,
            "planned_completion": DATE,
            "actual_start": DATE,
            "actual_completion": DATE,
            "scale_and_content": forms.Textarea(attrs={"rows": 2}),
            "progress_text": forms.Textarea(attrs={"rows": 2}),
            "preliminary_progress": forms.Textarea(attrs={"rows": 2}),
            "problems_text": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            units = Unit.objects.none()
        for name in ("owner_unit", "responsible_unit"):
            field: Any = self.fields[name]
            field.queryset = units
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self._style()


class ProjectCreateForm(ProjectForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.RESERVE)

    class Meta(ProjectForm.Meta):
        fields = [*ProjectForm.Meta.fields, "stage"]


class StageForm(BootstrapMixin, forms.Form):
    to = forms.ChoiceField(label=_("New stage"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    effective_date = forms.DateField(label=_("Effective date"), required=False, widget=DATE)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to: Any = self.fields["to"]
        to.choices = [(s, Stage(s).label) for s in allowed_transitions(project.stage)]
        self._style()


class AnnualPlanForm(BootstrapMixin, forms.ModelForm):  # type: ignore[type-arg]
    investment_target = WanYuanField(label=_("Annual investment target (10,000 yuan)"))
    ytd_completed = WanYuanField(label=_("Completed this year (10,000 yuan)"), required=False)
    monthly_curve = forms.CharField(
        label=_("Monthly plan curve"),
        required=False,
        help_text=_(
            "Twelve cumulative percentages separated by commas, e.g. 0,0,5,10,20,30,40,50,60,"
            "75,90,100; empty for an even pace."
        ),
    )

    def clean_monthly_curve(self) -> list[int | float] | None:
        text = self.cleaned_data.get("monthly_curve") or ""
        if isinstance(text, list):
            return text
        parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
        if not parts:
            return None
        try:
            values = [Decimal(p) for p in parts]
        except ArithmeticError:
            raise forms.ValidationError(
                _("Every value of the monthly curve must be a number.")
            ) from None
        return [int(v) if v == v.to_integral_value() else float(v) for v in values]

    class Meta:
        model = AnnualPlan
        fields = ["investment_target", "milestone", "milestone_quarter", "milestone_note",
                  "ytd_completed", "figures_as_of", "monthly_curve"]  # fmt: skip
        widgets = {"figures_as_of": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        curve = self.initial.get("monthly_curve")
        if isinstance(curve, list):
            self.initial["monthly_curve"] = ",".join(str(v) for v in curve)
        self._style()


class ImportUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Ledger file (.xlsx)"))
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=2000, max_value=2100,
        help_text=_("Leave empty to read it from the title row."),
    )  # fmt: skip
    allow_new_units = forms.BooleanField(
        label=_("Create units the system does not know yet"), required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()
        self.fields["allow_new_units"].widget.attrs["class"] = "form-check-input"
