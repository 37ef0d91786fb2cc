from typing import Any

from django import forms
from django.utils.datastructures import MultiValueDict


class CompactMultiSelect(forms.Select):
    """A one-line select for a multiple-choice filter: picks one value from the page, while a
    link or the API may still pass several (?stage=a&stage=b)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if isinstance(data, MultiValueDict):
            return [v for v in data.getlist(name) if v]
        value = data.get(name)
        return [value] if value else []

    def format_value(self, value: Any) -> Any:  # a list: the select marks each one
        if value is None:
            return []
        return [str(v) for v in (value if isinstance(value, list | tuple) else [value])]


class DateInput(forms.DateInput):
    """The browser's date picker, with ISO dates both ways."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def bootstrap(form: forms.BaseForm, *, small: bool = True) -> forms.BaseForm:
    """Give every field of `form` Bootstrap's classes (checkboxes their own)."""
    size = " form-select-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select" + size
        else:
            css = "form-control" + (" form-control-sm" if small else "")
        widget.attrs.setdefault("class", css)
    return form
