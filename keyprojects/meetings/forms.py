"""Forms for the pages; every choice is limited to the meeting's or visit's jurisdiction. The
services check the same again, for the API and for a form posted by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit, User
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import Project
from keyprojects.web.widgets import DateInput

from .choices import AgendaKind
from .models import AgendaItem, Meeting, SiteVisit, VisitStop


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def people_scope(jurisdiction: Jurisdiction) -> list[int]:
    """The jurisdiction, those below it, and those above it (a city leader may chair)."""
    ids = jurisdiction.subtree_ids()
    node = jurisdiction.parent
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids


def units_of(jurisdiction: Jurisdiction) -> QuerySet[Unit]:
    return Unit.objects.filter(jurisdiction_id__in=jurisdiction.subtree_ids()).order_by("name")


def leaders_of(jurisdiction: Jurisdiction) -> QuerySet[User]:
    return User.objects.filter(
        role=Role.LEADER, is_active=True, jurisdiction_id__in=people_scope(jurisdiction)
    ).order_by("position", "username")


def people_of(jurisdiction: Jurisdiction) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, unit__jurisdiction_id__in=jurisdiction.subtree_ids())
        .select_related("unit")
        .order_by("unit__name", "username")
    )


def projects_of(user: Any, jurisdiction: Jurisdiction) -> QuerySet[Project]:
    return (
        Project.objects.visible_to(user)
        .filter(jurisdiction_id__in=jurisdiction.subtree_ids())
        .exclude(stage=Stage.CANCELLED)
        .order_by("name")
    )


def jurisdictions_for(user: Any) -> QuerySet[Jurisdiction]:
    ids = user.visible_jurisdiction_ids()
    return Jurisdiction.objects.all() if ids is None else Jurisdiction.objects.filter(pk__in=ids)


class _Owner(forms.Form):
    """Owner unit and person of what becomes a task."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        person, unit = data.get("owner_person"), data.get("owner_unit")
        if person and unit and person.unit_id != unit.pk:
            self.add_error(
                "owner_person", _("The person responsible must belong to the owner unit.")
            )
        return data


# -- meetings -----------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=Jurisdiction.objects.none()
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Time"), widget=TimeInput(), required=False)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave blank to number it: the year's next dispatch meeting."),
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    chair = forms.ModelChoiceField(label=_("Chair"), queryset=User.objects.none(), required=False)
    chair_name = forms.CharField(
        label=_("Chair (name or position)"),
        max_length=100,
        required=False,
        help_text=_("When the chair has no account, e.g. 区长."),
    )

    def __init__(self, *args: Any, user: Any, meeting: Meeting | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        choices = jurisdictions_for(user)
        field = self.fields["jurisdiction"]
        field.queryset = choices  # type: ignore[attr-defined]
        home: Jurisdiction | None
        if meeting is not None:
            del self.fields["jurisdiction"]
            home = meeting.jurisdiction
        else:
            home = user.jurisdiction or choices.first()
            field.initial = home
            if choices.count() <= 1:
                field.widget = forms.HiddenInput()
        if home is not None:
            self.fields["chair"].queryset = leaders_of(home)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("chair") and data.get("chair_name"):
            self.add_error("chair_name", _("Choose the chair or write a name, not both."))
        return data


class AgendaItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaKind.choices, initial=AgendaKind.OTHER)
    text = forms.CharField(label=_("Item"), widget=forms.Textarea(attrs={"rows": 2}))
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label=_("Unit to report"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, meeting: Meeting, **kw: Any) -> None:
        kw.setdefault("prefix", "agenda")
        super().__init__(*args, **kw)
        self.fields["project"].queryset = projects_of(user, meeting.jurisdiction)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units_of(meeting.jurisdiction)  # type: ignore[attr-defined]


class AttendanceForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    person = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    name = forms.CharField(label=_("Name or position"), max_length=100, required=False)

    def __init__(self, *args: Any, meeting: Meeting, **kw: Any) -> None:
        kw.setdefault("prefix", "attend")
        super().__init__(*args, **kw)
        jurisdiction = meeting.jurisdiction
        self.fields["unit"].queryset = units_of(jurisdiction)  # type: ignore[attr-defined]
        self.fields["person"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(is_active=True, jurisdiction_id__in=people_scope(jurisdiction))
            .exclude(role="")
            .select_related("unit")
            .order_by("unit__name", "username")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("unit") or data.get("person") or (data.get("name") or "").strip()):
            raise forms.ValidationError(_("Choose a unit or a person, or write a name."))
        return data


class DecisionForm(_Owner):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    agenda_item = forms.ModelChoiceField(
        label=_("Agenda item"), queryset=AgendaItem.objects.none(), required=False
    )
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    owner_unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=Unit.objects.none())
    owner_person = forms.ModelChoiceField(
        label=_("Person responsible"), queryset=User.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    needs_evidence = forms.BooleanField(label=_("Evidence required"), required=False)

    def __init__(self, *args: Any, user: Any, meeting: Meeting, **kw: Any) -> None:
        kw.setdefault("prefix", "decision")
        super().__init__(*args, **kw)
        jurisdiction = meeting.jurisdiction
        self.fields["agenda_item"].queryset = meeting.agenda.all()  # type: ignore[attr-defined]
        self.fields["project"].queryset = projects_of(user, jurisdiction)  # type: ignore[attr-defined]
        self.fields["owner_unit"].queryset = units_of(jurisdiction)  # type: ignore[attr-defined]
        self.fields["owner_person"].queryset = people_of(jurisdiction)  # type: ignore[attr-defined]


# -- visits -------------------------------------------------------------------------------------


class VisitForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=Jurisdiction.objects.none()
    )
    date = forms.DateField(label=_("Date"), widget=DateInput())
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    leaders = forms.ModelMultipleChoiceField(
        label=_("Leaders"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    leader_names = forms.CharField(
        label=_("Other leaders (positions)"),
        max_length=200,
        required=False,
        help_text=_("Leaders without an account, e.g. 区委书记、区人大常委会主任."),
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Accompanying units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, user: Any, visit: SiteVisit | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        choices = jurisdictions_for(user)
        field = self.fields["jurisdiction"]
        field.queryset = choices  # type: ignore[attr-defined]
        home: Jurisdiction | None
        if visit is not None:
            del self.fields["jurisdiction"]
            home = visit.jurisdiction
        else:
            home = user.jurisdiction or choices.first()
            field.initial = home
            if choices.count() <= 1:
                field.widget = forms.HiddenInput()
        if home is not None:
            self.fields["leaders"].queryset = leaders_of(home)  # type: ignore[attr-defined]
            self.fields["units"].queryset = units_of(home)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("leaders") and not (data.get("leader_names") or "").strip():
            self.add_error("leaders", _("Name the leaders who visit."))
        return data


class StopForm(forms.Form):
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False
    )
    name = forms.CharField(label=_("Or a place off the ledger"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, visit: SiteVisit, **kw: Any) -> None:
        kw.setdefault("prefix", "stop")
        super().__init__(*args, **kw)
        on_route = visit.stops.filter(project__isnull=False).values("project_id")
        self.fields["project"].queryset = projects_of(user, visit.jurisdiction).exclude(  # type: ignore[attr-defined]
            pk__in=on_route
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("project") and not (data.get("name") or "").strip():
            raise forms.ValidationError(_("Choose a project or name the place."))
        return data


class FindingsForm(forms.Form):
    name = forms.CharField(label=_("Place"), max_length=200)
    findings = forms.CharField(
        label=_("Findings"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


class InstructionForm(_Owner):
    stop = forms.ModelChoiceField(
        label=_("Stop"), queryset=VisitStop.objects.none(), required=False
    )
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=User.objects.none(), required=False)
    leader_name = forms.CharField(
        label=_("Or the leader's position"), max_length=100, required=False
    )
    text = forms.CharField(label=_("Instruction (批示)"), widget=forms.Textarea(attrs={"rows": 3}))
    owner_unit = forms.ModelChoiceField(label=_("Owner unit"), queryset=Unit.objects.none())
    owner_person = forms.ModelChoiceField(
        label=_("Person responsible"), queryset=User.objects.none(), required=False
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())
    needs_evidence = forms.BooleanField(label=_("Evidence required"), required=False)

    def __init__(self, *args: Any, visit: SiteVisit, for_office: bool, **kw: Any) -> None:
        super().__init__(*args, **kw)
        jurisdiction = visit.jurisdiction
        self.fields["stop"].queryset = visit.stops.all()  # type: ignore[attr-defined]
        self.fields["owner_unit"].queryset = units_of(jurisdiction)  # type: ignore[attr-defined]
        self.fields["owner_person"].queryset = people_of(jurisdiction)  # type: ignore[attr-defined]
        if for_office:
            self.fields["leader"].queryset = visit.leaders.order_by("position", "username")  # type: ignore[attr-defined]
        else:  # a leader records their own instructions
            del self.fields["leader"]
            del self.fields["leader_name"]
        self.for_office = for_office

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.for_office and not data.get("leader") and not data.get("leader_name", "").strip():
            self.add_error("leader", _("Say whose instruction it is."))
        return data
