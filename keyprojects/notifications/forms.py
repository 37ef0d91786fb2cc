from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from keyprojects.organisations.models import Jurisdiction, Unit

from .kinds import Kind, grouped
from .models import Webhook

HOURS = [(h, f"{h:02d}:00") for h in range(24)]


def kind_choices(codes: Iterable[str] = ()) -> list[tuple[Any, Any]]:
    return [(label, [(k.code, k.label) for k in kinds]) for label, kinds in grouped(codes)]


class PreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(label=_("Email me each notice"), required=False)
    digest_enabled = forms.BooleanField(label=_("Send me a daily digest by email"), required=False)
    digest_hour = forms.TypedChoiceField(label=_("Digest hour"), choices=HOURS, coerce=int)
    digest_tasks = forms.BooleanField(label=_("List my open tasks in the digest"), required=False)
    muted_kinds = forms.MultipleChoiceField(
        label=_("Muted kinds"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, codes: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups: list[tuple[Any, list[Kind]]] = grouped(codes)
        self.fields["muted_kinds"].choices = kind_choices(codes)  # type: ignore[attr-defined]


class WebhookForm(forms.ModelForm):  # type: ignore[type-arg]
    url = forms.URLField(
        label=_("address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The robot's webhook address (http or https), as the chat app shows it."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of notice"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none to receive every kind."),
    )
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Leave empty to keep the current one (a new webhook gets one made for it). For a "
            "DingTalk or Feishu robot with signing (加签), paste the secret the robot shows."
        ),
    )

    class Meta:
        model = Webhook
        fields = ["name", "jurisdiction", "unit", "format", "url", "active"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = user.visible_jurisdiction_ids()
        places = (
            Jurisdiction.objects.all() if ids is None else Jurisdiction.objects.filter(pk__in=ids)
        )
        units = Unit.objects.all() if ids is None else Unit.objects.filter(jurisdiction_id__in=ids)
        self.fields["jurisdiction"].queryset = places  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units.select_related("jurisdiction")  # type: ignore[attr-defined]
        if not self.instance.pk and user.jurisdiction_id:
            self.initial.setdefault("jurisdiction", user.jurisdiction_id)
        self.fields["kinds"].choices = kind_choices(self.instance.kinds or [])  # type: ignore[attr-defined]
        self.initial.setdefault("kinds", list(self.instance.kinds or []))

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        if urlsplit(url).scheme not in {"http", "https"}:
            raise forms.ValidationError(_("The address must start with http:// or https://."))
        return url

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        place, unit = data.get("jurisdiction"), data.get("unit")
        if (
            place is not None
            and unit is not None
            and unit.jurisdiction_id not in place.subtree_ids()
        ):
            self.add_error("unit", _("The unit belongs to another jurisdiction."))
        return data

    def save(self, commit: bool = True) -> Webhook:
        hook: Webhook = super().save(commit=False)
        hook.kinds = sorted(self.cleaned_data.get("kinds") or [])
        if self.cleaned_data.get("secret"):
            hook.signing_secret = self.cleaned_data["secret"]
            hook.secret_set_at = timezone.now()
        if commit:
            hook.save()
        return hook
