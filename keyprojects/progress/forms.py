from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.projects.forms import WanYuanField

from .models import MonthlyReport


class ReportForm(forms.ModelForm):  # type: ignore[type-arg]
    investment = WanYuanField(
        label=_("Investment completed this month (10,000 yuan)"), min_value=None
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = MonthlyReport
        fields = [
            "investment", "progress_percent", "progress_text", "managers", "workers",
            "milestones", "problems", "next_month", "unusual_reason",
        ]  # fmt: skip
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("progress_text", "milestones", "problems", "next_month", "unusual_reason")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
            if isinstance(field, forms.DecimalField | forms.IntegerField):
                field.widget.attrs.setdefault("inputmode", "decimal")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
