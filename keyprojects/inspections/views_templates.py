"""The programme office's checklists: add, rename, take out of use; add, edit, reorder and
remove items."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from keyprojects.projects.permissions import programme_office_required

from . import checklists
from .forms import ItemForm, TemplateForm
from .models import ChecklistItem, ChecklistTemplate
from .views import error_text


@programme_office_required
@require_http_methods(["GET", "POST"])
def template_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    checklists.templates_ensure(jurisdiction=user.jurisdiction)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = checklists.template_save(
                user=user, jurisdiction=user.jurisdiction, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The checklist was added; now give it its items."))
            return redirect("inspections:template", template.pk)
    templates = (
        ChecklistTemplate.objects.visible_to(user)
        .select_related("jurisdiction")
        .annotate(item_count=Count("items", distinct=True))
        .annotate(used=Count("inspections", distinct=True))
        .order_by("kind", "name")
    )
    editable = set(ChecklistTemplate.objects.editable_by(user).values_list("pk", flat=True))
    return render(
        request,
        "inspections/templates.html",
        {
            "nav": "inspections",
            "tab": "templates",
            "templates": templates,
            "editable": editable,
            "form": form,
        },
    )


@programme_office_required
@require_http_methods(["GET", "POST"])
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    template = get_object_or_404(ChecklistTemplate.objects.visible_to(user), pk=pk)
    editable = ChecklistTemplate.objects.editable_by(user).filter(pk=pk).exists()
    if request.method == "POST":
        if not editable:
            messages.error(request, _("This checklist belongs to another jurisdiction."))
            return redirect("inspections:template", pk)
        response = _act(request, user, template)
        if response is not None:
            return response
    return render(
        request,
        "inspections/template.html",
        {
            "nav": "inspections",
            "tab": "templates",
            "template": template,
            "form": TemplateForm(instance=template),
            "items": [(i, ItemForm(instance=i, prefix=f"i{i.pk}")) for i in template.items.all()],
            "new_item": ItemForm(prefix="new"),
            "editable": editable,
            "used": template.inspections.count(),
        },
    )


def _act(request: HttpRequest, user: Any, template: ChecklistTemplate) -> HttpResponse | None:
    action = request.POST.get("action", "")
    item = None
    if request.POST.get("item"):
        item = get_object_or_404(ChecklistItem, pk=request.POST["item"], template=template)
    try:
        if action == "save_template":
            instance = ChecklistTemplate.objects.get(pk=template.pk)
            data = _valid(TemplateForm(request.POST, instance=instance))
            checklists.template_save(user=user, template=template, **data)
        elif action == "add_item":
            data = _valid(ItemForm(request.POST, prefix="new"))
            checklists.template_item_save(user=user, template=template, **data)
        elif action == "save_item" and item is not None:
            data = _valid(ItemForm(request.POST, prefix=f"i{item.pk}"))
            checklists.template_item_save(user=user, template=template, item=item, **data)
        elif action in ("up", "down") and item is not None:
            checklists.template_item_move(user=user, item=item, up=action == "up")
        elif action == "delete_item" and item is not None:
            checklists.template_item_delete(user=user, item=item)
        elif action == "delete_template":
            checklists.template_delete(user=user, template=template)
            messages.success(request, _("The checklist was deleted."))
            return redirect("inspections:templates")
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The checklist was changed."))
    return redirect("inspections:template", template.pk)


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise ValidationError(
            [
                f"{form.fields[f].label if f in form.fields else ''} {e}".strip()
                for f, errors in form.errors.items()
                for e in errors
            ]
        )
    return dict(form.cleaned_data)
