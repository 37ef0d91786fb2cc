from __future__ import annotations

from typing import Any

from django import forms

from keyprojects.projects.forms import DATE

from .models import ProcedureStep


class StepForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ProcedureStep
        fields = ["status", "planned_start", "planned_finish", "applied_on", "approved_on",
                  "document_number", "document", "note"]  # fmt: skip
        widgets = {
            "planned_start": DATE, "planned_finish": DATE, "applied_on": DATE, "approved_on": DATE,
        }  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")
