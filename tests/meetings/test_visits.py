"""Site visits: the route in order, findings, photos, and instructions (批示) that become
tasks the moment they are recorded."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from keyprojects.audit.models import AuditEntry
from keyprojects.meetings import visits
from keyprojects.meetings.models import Instruction, SiteVisit, VisitLeader, VisitPhoto
from keyprojects.notifications.models import Notification
from keyprojects.supervision import services as tasks
from keyprojects.supervision.choices import SourceKind, TaskStatus, UpdateKind
from keyprojects.supervision.models import Task
from tests.factories import ProjectFactory

from .conftest import TODAY


def jpeg(colour=(40, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return out.getvalue()


def instruct(visit, user, **kw):
    fields = {
        "text": "管线迁改一个月内完成", "owner_unit": kw.pop("owner_unit", None),
        "deadline": TODAY + dt.timedelta(days=30),
    }  # fmt: skip
    fields.update(kw)
    return visits.instruction_add(visit, user=user, **fields)


def test_a_visit_names_its_leaders_and_units_and_is_audited(world, other_leader):
    visit = visits.visit_create(
        user=world.office, jurisdiction=world.district, date=TODAY, leaders=[world.leader,
        other_leader], units=[world.owner, world.responsible],
    )  # fmt: skip
    assert set(visit.leaders.all()) == {world.leader, other_leader}
    assert set(visit.units.all()) == {world.owner, world.responsible}
    assert visit.title and "2026-06-10" in visit.title
    assert AuditEntry.objects.filter(model="meetings.visitleader").count() == 2
    assert AuditEntry.objects.filter(model="meetings.sitevisit", jurisdiction_id=world.district.pk)


@pytest.mark.parametrize(
    ("leaders", "names", "message"),
    [
        ([], "", "Name the leaders"),
        (["owner_user"], "", "is not a leader"),
    ],
)
def test_a_visit_needs_leaders(world, leaders, names, message):
    with pytest.raises(ValidationError, match=message):
        visits.visit_create(
            user=world.office, jurisdiction=world.district, date=TODAY, leader_names=names,
            leaders=[getattr(world, name) for name in leaders],
        )  # fmt: skip
    assert not SiteVisit.objects.exists()


@pytest.mark.parametrize("who", ["leader", "owner_user", "auditor", "outsider"])
def test_only_the_office_records_visits(world, who):
    with pytest.raises(PermissionDenied):
        visits.visit_create(
            user=getattr(world, who), jurisdiction=world.district, date=TODAY,
            leaders=[world.leader],
        )  # fmt: skip


def test_the_route_keeps_its_order_and_each_project_once(world, visit):
    second = visits.stop_add(visit, user=world.office, project=world.other_project)
    seat = visits.stop_add(visit, user=world.office, name="区政府座谈会")
    assert [s.name for s in visit.stops.all()] == [
        "老鼓楼衙署遗址公园",
        "珊瑚公园滨江公园",
        "区政府座谈会",
    ]

    visits.stop_move(seat, user=world.office, up=True)
    assert [s.order for s in visit.stops.all()] == [1, 2, 3]
    assert [s.name for s in visit.stops.all()][1] == "区政府座谈会"
    with pytest.raises(ValidationError, match="already on the route"):
        visits.stop_add(visit, user=world.office, project=world.other_project)
    with pytest.raises(ValidationError, match="another jurisdiction"):
        visits.stop_add(visit, user=world.office, project=world.foreign_project)
    with pytest.raises(ValidationError, match="Choose a project or name the place"):
        visits.stop_add(visit, user=world.office)
    visits.stop_remove(second, user=world.office)
    assert [(s.order, s.name) for s in visit.stops.all()] == [
        (1, "老鼓楼衙署遗址公园"), (2, "区政府座谈会"),
    ]  # fmt: skip


def test_findings_are_written_per_stop(world, visit):
    stop = visit.stops.get()
    visits.stop_update(stop, user=world.office, findings="  施工人员到岗率约九成  ")
    stop.refresh_from_db()
    assert stop.findings == "施工人员到岗率约九成"
    with pytest.raises(PermissionDenied):
        visits.stop_update(stop, user=world.leader, findings="改")


def test_a_leader_who_took_part_instructs_and_the_task_is_theirs_to_accept(world, visit):
    stop = visit.stops.get()
    instruction = instruct(visit, world.leader, stop=stop, owner_unit=world.responsible)

    task = instruction.task
    assert instruction.leader == world.leader and instruction.project == world.project
    assert task.source_kind == SourceKind.VISIT and task.source == instruction
    assert task.issued_by == world.leader and task.project == world.project
    assert task.title == "管线迁改一个月内完成" and "2026-06-10" in task.detail
    assert Notification.objects.filter(user=world.responsible_user, kind="task_assigned").exists()
    assert task.source_url.endswith(f"/visits/{visit.pk}/#instruction-{instruction.pk}")

    tasks.task_submit(task, user=world.responsible_user, text="已完成迁改")
    assert Notification.objects.filter(user=world.leader, kind="task_submitted").exists()
    tasks.task_accept(task, user=world.leader)
    assert Instruction.objects.get().outcome() == "done"


def test_a_leader_records_only_their_own_instructions(world, visit, other_leader):
    instruction = instruct(
        visit, world.leader, owner_unit=world.owner, leader=other_leader, leader_name="区长"
    )
    assert instruction.leader == world.leader and instruction.leader_name == ""


def test_a_leader_who_was_not_there_cannot_instruct(world, visit, other_leader):
    with pytest.raises(PermissionDenied):
        instruct(visit, other_leader, owner_unit=world.owner)
    for who in ("owner_user", "auditor", "outsider"):
        with pytest.raises(PermissionDenied):
            instruct(visit, getattr(world, who), owner_unit=world.owner)
    assert not Task.objects.exists()


def test_the_office_records_a_visiting_leaders_instruction(world, visit, other_leader):
    by_position = instruct(visit, world.office, owner_unit=world.owner, leader_name="区委书记")
    assert by_position.task.issued_by == world.office and by_position.leader_label == "区委书记"
    by_account = instruct(visit, world.office, owner_unit=world.owner, leader=world.leader)
    assert by_account.task.issued_by == world.leader
    with pytest.raises(ValidationError, match="did not take part"):
        instruct(visit, world.office, owner_unit=world.owner, leader=other_leader)
    with pytest.raises(ValidationError, match="Say whose instruction"):
        instruct(visit, world.office, owner_unit=world.owner)
    assert Task.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"text": " "}, "Write the instruction"),
        ({"deadline": TODAY - dt.timedelta(days=1)}, "already passed"),
        ({"owner_person": "responsible_user"}, "belong to the owner unit"),
        ({"project": "foreign_project"}, "another jurisdiction"),
    ],
)
def test_a_bad_instruction_is_refused_and_makes_no_task(world, visit, change, message):
    change = {
        k: getattr(world, v) if k in ("owner_person", "project") else v for k, v in change.items()
    }
    with pytest.raises(ValidationError, match=message):
        instruct(visit, world.leader, owner_unit=world.owner, **change)
    assert not Instruction.objects.exists() and not Task.objects.exists()


def test_no_instruction_before_the_visit_day_and_none_at_another_visits_stop(world, visit):
    later = visits.visit_create(
        user=world.office, jurisdiction=world.district, date=TODAY + dt.timedelta(days=3),
        leaders=[world.leader],
    )  # fmt: skip
    with pytest.raises(ValidationError, match="instructions are recorded from that day"):
        instruct(later, world.leader, owner_unit=world.owner)
    with pytest.raises(ValidationError, match="another visit"):
        instruct(later, world.office, owner_unit=world.owner, leader=world.leader,
                 stop=visit.stops.get(), today=later.date)  # fmt: skip


def test_what_was_instructed_stays(world, visit):
    stop = visit.stops.get()
    instruct(visit, world.leader, stop=stop, owner_unit=world.owner)
    with pytest.raises(ValidationError, match="stays on the route"):
        visits.stop_remove(stop, user=world.office)
    with pytest.raises(ValidationError, match="gave instructions on this visit"):
        visits.visit_update(visit, user=world.office, leaders=[])
    with pytest.raises(ValidationError, match="its date stays"):
        visits.visit_update(visit, user=world.office, date=TODAY - dt.timedelta(days=1))
    visit.refresh_from_db()
    assert visit.date == TODAY and list(visit.leaders.all()) == [world.leader]


def test_leaders_and_units_are_changed_one_by_one_in_the_audit_trail(world, visit, other_leader):
    visits.visit_update(
        visit, user=world.office, leaders=[other_leader], units=[world.owner], summary="座谈"
    )
    assert list(visit.leaders.all()) == [other_leader]
    assert list(visit.units.all()) == [world.owner]
    deleted = AuditEntry.objects.filter(model="meetings.visitleader", action="delete")
    assert deleted.count() == 1


def test_photos_are_re_encoded_with_a_thumbnail(
    world, visit, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    stop = visit.stops.get()
    photo = visits.photo_add(stop, user=world.leader, data=jpeg(), caption="施工现场")
    assert photo.image.name.startswith("visits/2026/06/") and photo.thumbnail
    with Image.open(photo.thumbnail.path) as thumb:
        assert max(thumb.size) <= 360
    with pytest.raises(ValidationError, match="not a photo"):
        visits.photo_add(stop, user=world.office, data=b"%PDF-1.4 not a photo")
    with pytest.raises(PermissionDenied):
        visits.photo_add(stop, user=world.owner_user, data=jpeg())
    assert VisitPhoto.objects.count() == 1

    path = photo.image.path
    with django_capture_on_commit_callbacks(execute=True):
        visits.photo_remove(photo, user=world.leader)
    assert not VisitPhoto.objects.exists()
    assert not os.path.exists(path)  # the file goes with the record


def test_deleting_a_visit_keeps_its_tasks_and_tells_their_owners(world, visit):
    instruct(visit, world.leader, stop=visit.stops.get(), owner_unit=world.responsible)
    task = Task.objects.get()

    assert visits.visit_delete(visit, user=world.office) == 1

    task.refresh_from_db()
    assert not SiteVisit.objects.exists() and not VisitLeader.objects.exists()
    assert task.source_removed_at is not None and task.status == TaskStatus.OPEN
    assert task.updates.filter(kind=UpdateKind.SOURCE_REMOVED).exists()
    assert Notification.objects.filter(
        user=world.responsible_user, kind="task_source_removed"
    ).exists()


def test_a_city_leader_may_visit_a_districts_projects(world):
    from keyprojects.organisations.choices import Role
    from tests.factories import UserFactory

    mayor = UserFactory(username="mayor", role=Role.LEADER, jurisdiction=world.city)
    visit = visits.visit_create(
        user=world.office, jurisdiction=world.district, date=TODAY, leaders=[mayor]
    )
    project = ProjectFactory(jurisdiction=world.district)
    visits.stop_add(visit, user=world.office, project=project)
    assert list(visit.leaders.all()) == [mayor]
