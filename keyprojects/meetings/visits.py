"""Site visits (现场办公): the route, what was found at each stop, photos, and the leaders'
instructions (批示), each of which becomes a supervised task the moment it is recorded."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit, User
from keyprojects.progress.photos import process
from keyprojects.projects.models import Project
from keyprojects.supervision.choices import SourceKind
from keyprojects.supervision.services import create_task

from .models import Instruction, SiteVisit, VisitLeader, VisitPhoto, VisitStop, VisitUnit
from .permissions import can_create, can_instruct, can_run, require
from .services import (
    check,
    check_owner,
    check_project,
    check_unit,
    clean_text,
    move_row,
    next_order,
    renumber,
    title_line,
)


def _lock(visit: SiteVisit) -> None:
    SiteVisit.objects.select_for_update().filter(pk=visit.pk).values_list("pk").get()


def _check_leaders(leaders: Iterable[User], ids: list[int]) -> None:
    for leader in leaders:
        if leader.role != Role.LEADER:
            raise ValidationError(_("%(person)s is not a leader.") % {"person": leader})
        if leader.jurisdiction_id not in ids and not _above(leader, ids):
            raise ValidationError(
                _("%(person)s is a leader of another jurisdiction.") % {"person": leader}
            )


def _above(leader: User, ids: list[int]) -> bool:
    """A city leader may visit a district's projects."""
    if leader.jurisdiction_id is None:
        return False
    return bool(set(ids) & set(Jurisdiction.objects.get(pk=leader.jurisdiction_id).subtree_ids()))


def _sync(visit: SiteVisit, model: Any, field: str, wanted: Iterable[Any]) -> None:
    """Add and remove through rows one by one, so the audit trail records each."""
    wanted_ids = {obj.pk for obj in wanted}
    rows = {getattr(row, f"{field}_id"): row for row in model.objects.filter(visit=visit)}
    for pk, row in rows.items():
        if pk not in wanted_ids:
            row.delete()
    for pk in wanted_ids - set(rows):
        model.objects.create(visit=visit, **{f"{field}_id": pk})


def visit_create(
    *,
    user: Any,
    jurisdiction: Jurisdiction,
    date: dt.date,
    title: str = "",
    leaders: Iterable[User] = (),
    leader_names: str = "",
    units: Iterable[Unit] = (),
    summary: str = "",
) -> SiteVisit:
    require(can_create(user))
    visible = user.visible_jurisdiction_ids()
    require(visible is None or jurisdiction.pk in visible)
    ids = jurisdiction.subtree_ids()
    leaders, units = list(leaders), list(units)
    _check_leaders(leaders, ids)
    for unit in units:
        check_unit(unit, ids)
    if not leaders and not (leader_names or "").strip():
        raise ValidationError(_("Name the leaders who visit."))
    with transaction.atomic():
        visit = SiteVisit(
            jurisdiction=jurisdiction,
            date=date,
            title=(title or "").strip() or _("Site visit of %(date)s") % {"date": date.isoformat()},
            leader_names=(leader_names or "").strip(),
            summary=(summary or "").strip(),
            created_by=user,
        )
        visit.full_clean()
        visit.save()
        _sync(visit, VisitLeader, "leader", leaders)
        _sync(visit, VisitUnit, "unit", units)
    return visit


def visit_update(
    visit: SiteVisit,
    *,
    user: Any,
    leaders: Iterable[User] | None = None,
    units: Iterable[Unit] | None = None,
    **fields: Any,
) -> SiteVisit:
    require(can_run(user, visit))
    allowed = {"date", "title", "leader_names", "summary"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("These cannot be changed here: %(f)s") % {"f": ", ".join(unknown)})
    ids = visit.jurisdiction.subtree_ids()
    with transaction.atomic():
        _lock(visit)
        if leaders is not None:
            leaders = list(leaders)
            _check_leaders(leaders, ids)
            kept = {leader.pk for leader in leaders}
            gone = visit.instructions.filter(leader__isnull=False).exclude(leader_id__in=kept)
            instructing = {str(i.leader) for i in gone.select_related("leader")}
            check(
                not instructing,
                _("%(names)s gave instructions on this visit and stay on it.")
                % {"names": "、".join(sorted(instructing))},
            )
        if "date" in fields and fields["date"] != visit.date:
            check(
                not visit.instructions.exists(),
                _("Instructions were recorded on this visit; its date stays."),
            )
        for name, value in fields.items():
            setattr(visit, name, value.strip() if isinstance(value, str) else value)
        if leaders is not None and not leaders:
            check(bool(visit.leader_names), _("Name the leaders who visit."))
        elif leaders is None and not visit.leader_names:
            check(visit.leaders.exists(), _("Name the leaders who visit."))
        if not visit.title:
            visit.title = _("Site visit of %(date)s") % {"date": visit.date.isoformat()}
        visit.full_clean()
        visit.save()
        if leaders is not None:
            _sync(visit, VisitLeader, "leader", leaders)
        if units is not None:
            units = list(units)
            for unit in units:
                check_unit(unit, ids)
            _sync(visit, VisitUnit, "unit", units)
    return visit


def visit_delete(visit: SiteVisit, *, user: Any) -> int:
    """Delete the visit with its stops, photos and instructions. The tasks the instructions
    made stay, marked as having lost their source, and their owners are told."""
    require(can_run(user, visit))
    photos = list(VisitPhoto.objects.filter(stop__visit=visit))
    with transaction.atomic():
        issued = visit.instructions.filter(task__isnull=False).count()
        visit.delete()
        transaction.on_commit(lambda: _delete_files(photos))
    return issued


def _delete_files(photos: Iterable[VisitPhoto]) -> None:
    for photo in photos:
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)


# -- the route ----------------------------------------------------------------------------------


def stop_add(
    visit: SiteVisit,
    *,
    user: Any,
    project: Project | None = None,
    name: str = "",
    findings: str = "",
) -> VisitStop:
    require(can_run(user, visit))
    name = (name or "").strip() or (project.name if project else "")
    if not name:
        raise ValidationError(_("Choose a project or name the place."))
    if project is not None:
        check_project(project, visit.jurisdiction.subtree_ids())
    with transaction.atomic():
        _lock(visit)
        if project is not None:
            check(
                not visit.stops.filter(project=project).exists(),
                _("%(project)s is already on the route.") % {"project": project},
            )
        stop = VisitStop(
            visit=visit,
            order=next_order(visit.stops),
            project=project,
            name=name[:200],
            findings=(findings or "").strip(),
        )
        stop.full_clean(validate_constraints=False)
        stop.save()
    return stop


def stop_update(
    stop: VisitStop, *, user: Any, findings: str | None = None, name: str | None = None
) -> VisitStop:
    require(can_run(user, stop.visit))
    if findings is not None:
        stop.findings = findings.strip()
    if name is not None:
        stop.name = clean_text(name, _("Name the place."))[:200]
    stop.save()
    return stop


def stop_move(stop: VisitStop, *, user: Any, up: bool) -> None:
    visit = stop.visit
    require(can_run(user, visit))
    with transaction.atomic():
        _lock(visit)
        move_row(list(visit.stops.all()), stop.pk, up)


def stop_remove(stop: VisitStop, *, user: Any) -> None:
    visit = stop.visit
    require(can_run(user, visit))
    photos = list(stop.photos.all())
    with transaction.atomic():
        _lock(visit)
        check(
            not stop.instructions.exists(),
            _("Instructions were given at this stop; it stays on the route."),
        )
        stop.delete()
        renumber(visit.stops.all())
        transaction.on_commit(lambda: _delete_files(photos))


def photo_add(stop: VisitStop, *, user: Any, data: bytes, caption: str = "") -> VisitPhoto:
    """Keep a re-encoded copy and a thumbnail; a file that is not a photo is refused."""
    require(can_instruct(user, stop.visit))
    processed = process(data)
    photo = VisitPhoto(stop=stop, caption=(caption or "").strip()[:200], uploaded_by=user)
    if processed.taken_at is not None:
        photo.taken_at = timezone.make_aware(processed.taken_at)
    stem = f"v{stop.visit_id}-s{stop.pk}-{uuid.uuid4().hex}"
    photo.image.save(f"{stem}.jpg", ContentFile(processed.image), save=False)
    photo.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(processed.thumbnail), save=False)
    photo.save()
    return photo


def photo_remove(photo: VisitPhoto, *, user: Any) -> None:
    """The office, or whoever uploaded it."""
    visit = photo.stop.visit
    require(can_run(user, visit) or (can_instruct(user, visit) and photo.uploaded_by_id == user.pk))
    with transaction.atomic():
        photo.delete()
        transaction.on_commit(lambda: _delete_files([photo]))


# -- instructions -------------------------------------------------------------------------------


def instruction_add(
    visit: SiteVisit,
    *,
    user: Any,
    text: str,
    owner_unit: Unit,
    deadline: dt.date,
    stop: VisitStop | None = None,
    leader: User | None = None,
    leader_name: str = "",
    owner_person: User | None = None,
    project: Project | None = None,
    needs_evidence: bool = False,
    today: dt.date | None = None,
) -> Instruction:
    """Record a leader's instruction and issue it at once as a supervised task. A leader who
    took part records their own; the office records any visiting leader's."""
    require(can_instruct(user, visit))
    today = today or timezone.localdate()
    text = clean_text(text, _("Write the instruction."))
    leader_name = (leader_name or "").strip()
    if not can_run(user, visit):
        leader, leader_name = user, ""
    elif leader is not None:
        if not VisitLeader.objects.filter(visit=visit, leader=leader).exists():
            raise ValidationError(
                _("%(person)s did not take part in this visit.") % {"person": leader}
            )
    elif not leader_name:
        raise ValidationError(_("Say whose instruction it is."))
    if stop is not None and stop.visit_id != visit.pk:
        raise ValidationError(_("That stop belongs to another visit."))
    project = project or (stop.project if stop else None)
    ids = visit.jurisdiction.subtree_ids()
    check_unit(owner_unit, ids)
    check_owner(owner_unit, owner_person)
    if project is not None:
        check_project(project, ids)
    check(
        visit.date <= today,
        _("The visit is on %(date)s; instructions are recorded from that day.")
        % {"date": visit.date.isoformat()},
    )
    if deadline < today:
        raise ValidationError(_("The deadline has already passed."))
    with transaction.atomic():
        _lock(visit)
        instruction = Instruction(
            visit=visit,
            stop=stop,
            leader=leader,
            leader_name=leader_name,
            text=text,
            project=project,
            owner_unit=owner_unit,
            owner_person=owner_person,
            deadline=deadline,
            needs_evidence=needs_evidence,
            created_by=user,
        )
        instruction.full_clean()
        instruction.save()
        intro = _("Instruction (批示) of %(leader)s on the site visit of %(date)s:") % {
            "leader": instruction.leader_label,
            "date": visit.date.isoformat(),
        }
        task = create_task(
            title=title_line(text),
            detail=f"{intro}\n{text}",
            owner_unit=owner_unit,
            owner_person=owner_person,
            deadline=deadline,
            source_kind=SourceKind.VISIT,
            source=instruction,
            project=project,
            # The leader who gave it accepts it; without an account, the office does.
            issued_by=leader or user,
            needs_evidence=needs_evidence,
            jurisdiction_id=project.jurisdiction_id if project else visit.jurisdiction_id,
        )
        instruction.task = task
        instruction.save(update_fields=["task"])
    return instruction
