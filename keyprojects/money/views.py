from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from keyprojects.projects.models import Project

from .forms import ContractForm, EstimateForm, FundingForm, PaymentForm, VariationForm
from .models import Contract
from .services import (
    contract_add,
    estimate_set,
    funding_add,
    money_summary,
    paid_on_contract,
    payment_add,
    variation_add,
)

FORMS = {
    "estimate": EstimateForm,
    "funding": FundingForm,
    "contract": ContractForm,
    "variation": VariationForm,
    "payment": PaymentForm,
}


def _save(project: Project, kind: str, data: dict[str, Any]) -> None:
    if kind == "estimate":
        estimate_set(project=project, **data)
    elif kind == "funding":
        funding_add(project=project, **{**data, "arrived": data.get("arrived") or Decimal(0)})
    elif kind == "contract":
        contract_add(project=project, **data)
    else:
        contract = get_object_or_404(Contract, project=project, pk=data.pop("contract"))
        if kind == "variation":
            variation_add(contract=contract, **data)
        else:
            payment_add(contract=contract, **data)


@login_required
@require_http_methods(["GET", "POST"])
def project_money(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
    can_edit = Project.objects.editable_by(request.user).filter(pk=pk).exists()
    forms = {name: cls() for name, cls in FORMS.items()}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        kind = request.POST.get("kind", "")
        if kind not in FORMS:
            raise PermissionDenied
        form = FORMS[kind](request.POST)
        forms[kind] = form
        if form.is_valid():
            try:
                _save(project, kind, dict(form.cleaned_data))
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errs in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errs)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("money:project", pk=project.pk)
    contracts = list(project.contracts.prefetch_related("variations", "payments"))
    for contract in contracts:
        contract.paid = paid_on_contract(contract)
        contract.worth = contract.value + sum(
            (v.amount for v in contract.variations.all()), Decimal(0)
        )
    return render(
        request,
        "money/project.html",
        {
            "nav": "ledger", "project": project, "summary": money_summary(project),
            "funding": project.funding.all(), "contracts": contracts, "forms": forms,
            "can_edit": can_edit, "estimate": getattr(project, "estimate", None),
        },
    )  # fmt: skip
