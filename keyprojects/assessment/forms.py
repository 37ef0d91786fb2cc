from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import IndicatorKind, NoData, PeriodKind, UnitBasis
from .models import IndicatorSet
from .rules import CHOICE, INTEGER, Param, default_params, params_of


def _param_field(param: Param) -> forms.Field:
    label, help_text = cast(Any, param.label), cast(Any, param.help)
    """A parameter's input. Ranges are checked by `rules.check_indicators`, not here, so the
    page and the API give the same reasons."""
    if param.type == CHOICE:
        labels = dict(NoData.choices)
        return forms.ChoiceField(
            label=label,
            choices=[(c, labels.get(c, c)) for c in param.choices],
            required=False,
            help_text=help_text,
        )
    if param.type == INTEGER:
        return forms.IntegerField(label=label, required=False, help_text=help_text)
    return forms.DecimalField(label=label, required=False, help_text=help_text)


class IndicatorSetForm(forms.Form):
    """One row per kind of indicator: use it or not, its weight and its parameters."""

    name = forms.CharField(label=_("Name"), max_length=100)
    active = forms.BooleanField(label=_("In use for new periods"), required=False)
    unit_basis = forms.ChoiceField(label=_("Units answer for"), choices=UnitBasis.choices)
    red_list_size = forms.IntegerField(label=_("Red list (红榜) size"), min_value=0)
    black_list_size = forms.IntegerField(label=_("Black list (黑榜) size"), min_value=0)
    black_below = forms.DecimalField(
        label=_("Black list below"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_("Also list every unit whose total is below this; empty for none."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, instance: IndicatorSet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance = instance
        existing = {i.kind: i for i in instance.indicators.all()} if instance else {}
        if instance is not None:
            for name in (
                "name",
                "active",
                "unit_basis",
                "red_list_size",
                "black_list_size",
                "black_below",
                "version",
            ):
                self.fields[name].initial = getattr(instance, name)
        else:
            self.fields["active"].initial = True
            self.fields["unit_basis"].initial = UnitBasis.BY_KIND
            self.fields["red_list_size"].initial = 3
            self.fields["black_list_size"].initial = 3
        defaults = dict(_default_weights())
        self.rows: list[dict[str, Any]] = []
        for kind in IndicatorKind.values:
            indicator = existing.get(kind)
            use = forms.BooleanField(label=IndicatorKind(kind).label, required=False)
            weight = forms.DecimalField(label=_("Weight"), required=False)
            use.initial = indicator is not None if instance else kind in defaults
            weight.initial = indicator.weight if indicator else defaults.get(kind)
            self.fields[f"{kind}-use"] = use
            self.fields[f"{kind}-weight"] = weight
            params = indicator.params if indicator else default_params(kind)
            names = []
            for param in params_of(kind):
                field = _param_field(param)
                field.initial = params.get(param.name, default_params(kind)[param.name])
                self.fields[f"{kind}-{param.name}"] = field
                names.append(f"{kind}-{param.name}")
            self.rows.append(
                {"kind": kind, "use": f"{kind}-use", "weight": f"{kind}-weight", "params": names}
            )
        self.order: list[str] = []

    def bound_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": row["kind"],
                "label": IndicatorKind(row["kind"]).label,
                "use": self[row["use"]],
                "weight": self[row["weight"]],
                "params": [self[name] for name in row["params"]],
            }
            for row in self.rows
        ]

    def indicators(self) -> list[dict[str, Any]]:
        """The indicators ticked, as `services.indicator_set_save` takes them."""
        data = self.cleaned_data
        found = []
        self.order = []
        for row in self.rows:
            kind = row["kind"]
            if not data.get(row["use"]):
                continue
            params: dict[str, Any] = {}
            for name in row["params"]:
                value = data.get(name)
                if value is None or value == "":
                    continue  # a missing value: refused by the rules with the reason
                params[name.split("-", 1)[1]] = value
            found.append({"kind": kind, "weight": data.get(row["weight"]), "params": params})
            self.order.append(kind)
        return found

    def add_service_errors(self, error: ValidationError) -> None:
        """Put each reason the service gave beside the input it is about."""
        messages: dict[str, list[str]] = (
            error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        )
        for key, found in messages.items():
            field = self._field_for(key)
            for message in found:
                self.add_error(field, message)

    def _field_for(self, key: str) -> str | None:
        if key in self.fields:
            return key
        parts = key.split(".")
        if parts[0] != "indicators" or len(parts) < 3 or not parts[1].isdigit():
            return None
        index = int(parts[1])
        if index >= len(self.order):
            return None
        kind = self.order[index]
        if parts[2] == "weight":
            return f"{kind}-weight"
        if parts[2] == "params" and len(parts) > 3 and f"{kind}-{parts[3]}" in self.fields:
            return f"{kind}-{parts[3]}"
        return f"{kind}-use"


def _default_weights() -> list[tuple[str, int]]:
    from .rules import DEFAULT_WEIGHTS

    return [(str(kind), weight) for kind, weight in DEFAULT_WEIGHTS]


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=_("Year"))
    number = forms.IntegerField(
        label=_("Month or quarter"), required=False, help_text=_("Leave empty for a year.")
    )
    indicator_set = forms.ModelChoiceField(
        label=_("Indicator set"),
        queryset=IndicatorSet.objects.none(),
        required=False,
        help_text=_("Empty: the set in use."),
    )

    def __init__(self, *args: Any, sets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(Any, self.fields["indicator_set"]).queryset = sets
