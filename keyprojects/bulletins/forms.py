from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.web.widgets import DateInput, bootstrap

from .models import HEADER_FIELDS, TEXT_FIELDS, Bulletin


def last_month(today: dt.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


class NewBulletinForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=_("Month"), coerce=int, choices=[(m, str(m)) for m in range(1, 13)]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args or args[0] is None:
            year, month = last_month()
            kwargs.setdefault("initial", {"year": year, "month": month})
        super().__init__(*args, **kwargs)
        bootstrap(self)


class BulletinForm(forms.ModelForm[Bulletin]):
    """The office's part of a draft: the header and the text around the figures."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Bulletin
        fields = [*HEADER_FIELDS, *TEXT_FIELDS]
        widgets = {
            "issue_date": DateInput(),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in TEXT_FIELDS},
            "next_steps": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "version" not in self.initial:
            self.initial["version"] = self.instance.version
        bootstrap(self)

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in (*HEADER_FIELDS, *TEXT_FIELDS)}
