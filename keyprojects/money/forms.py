from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keyprojects.projects.forms import DATE, WanYuanField

from .models import ContractKind, FundingKind


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")


class EstimateForm(_Styled):
    amount = WanYuanField(label=_("Approved estimate (10,000 yuan)"))
    approved_on = forms.DateField(label=_("Approved on"), required=False, widget=DATE)
    document = forms.CharField(label=_("Approval document"), max_length=200, required=False)


class FundingForm(_Styled):
    kind = forms.ChoiceField(label=_("Source"), choices=FundingKind.choices)
    amount = WanYuanField(label=_("Planned (10,000 yuan)"))
    arrived = WanYuanField(label=_("Arrived (10,000 yuan)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ContractForm(_Styled):
    name = forms.CharField(label=_("Contract"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    contractor = forms.CharField(label=_("Contractor"), max_length=200)
    value = WanYuanField(label=_("Value (10,000 yuan)"))
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DATE)
    over_reason = forms.CharField(label=_("Reason if it passes the estimate"), required=False)


class VariationForm(_Styled):
    contract = forms.IntegerField(widget=forms.HiddenInput)
    amount = WanYuanField(label=_("Change (10,000 yuan, may be negative)"), min_value=None)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class PaymentForm(_Styled):
    contract = forms.IntegerField(widget=forms.HiddenInput)
    amount = WanYuanField(label=_("Paid (10,000 yuan)"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
