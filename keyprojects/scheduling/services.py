"""Writes to a project's schedule. Each runs in one transaction; a failure saves nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.choices import Action
from keyprojects.audit.services import Change, record_changes, snapshot
from keyprojects.projects.models import Project

from . import engine as e
from .convert import (
    activity_row,
    calendar_row,
    options_json,
    relation_rows,
    to_engine,
    wbs_json,
)
from .models import Activity, Baseline, ProjectSchedule, Relation, ScheduleCalendar, stored, wall

MAX_FILE_BYTES = 200 * 1024 * 1024
RESULT_FIELDS = [
    "early_start", "early_finish", "late_start", "late_finish", "total_float_minutes",
    "free_float_minutes", "hours_per_day", "critical", "longest_path",
]  # fmt: skip


def _as_validation_error(error: e.SchedulingError) -> ValidationError:
    if isinstance(error, e.ScheduleFileError):
        where = []
        if error.table:
            where.append(_("table %(table)s") % {"table": error.table})
        if error.row:
            where.append(_("row %(row)s") % {"row": error.row})
        if error.field:
            where.append(_("field %(field)s") % {"field": error.field})
        text = _(error.message)
        return ValidationError(f"{text}（{'，'.join(where)}）" if where else text)
    if isinstance(error, e.DependencyLoopError):
        return ValidationError(
            _("The relations form a loop: %(loop)s") % {"loop": " → ".join(error.activity_ids)}
        )
    if isinstance(error, e.CalendarCoverageError):
        return ValidationError(
            _("The holiday calendar has no data for %(year)s; add that year's holidays.")
            % {"year": error.year}
        )
    return ValidationError(str(error))


def check_coverage(
    spec: e.CalendarSpec, data_date: dt.datetime, deadline: dt.datetime | None
) -> None:
    """A calendar with holiday data must cover every year from the data date to the deadline."""
    if spec.covered_years is None:
        return
    first, last = spec.covered_years
    for moment in (data_date, deadline):
        if moment is not None and not first <= moment.year <= last:
            year = moment.year if moment.year < first else last + 1
            raise _as_validation_error(
                e.CalendarCoverageError("The holiday data does not cover the year", year=year)
            )


def read_file(data: bytes, filename: str) -> e.Schedule:
    """Parse a P6 XER or MS Project XML file; a bad file raises ValidationError."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(_("The file is larger than 200 MB."))
    name = filename.lower()
    try:
        if name.endswith(".xer") or data.startswith(b"ERMHDR"):
            return e.read_xer(data, max_bytes=MAX_FILE_BYTES)
        if name.endswith(".xml") or data.lstrip()[:1] == b"<":
            return e.read_mspdi(data, max_bytes=MAX_FILE_BYTES)
    except e.SchedulingError as error:
        raise _as_validation_error(error) from error
    raise ValidationError(_("Choose a Primavera P6 .xer or a Microsoft Project .xml file."))


def _default_deadline(project: Project) -> dt.datetime | None:
    """The project's planned completion, else this year's milestone quarter's end."""
    day = project.planned_completion
    if day is None:
        plan = (
            project.annual_plans.filter(milestone_quarter__isnull=False).order_by("-year").first()
        )
        if plan is not None and plan.milestone_quarter:
            month = plan.milestone_quarter * 3
            day = dt.date(plan.year, month, 30 if month in (6, 9) else 31)
    return dt.datetime.combine(day, dt.time(17, 0)) if day else None


def schedule_import(*, project: Project, data: bytes, filename: str) -> ProjectSchedule:
    """Replace the project's schedule with a file's; baselines are kept."""
    model = read_file(data, filename)
    if model.deadline is None:
        model.deadline = _default_deadline(project)
    try:
        e.schedule(model)  # refuse a file that cannot be scheduled before saving anything
    except e.SchedulingError as error:
        raise _as_validation_error(error) from error
    source = "xer" if filename.lower().endswith(".xer") else "mspdi"
    with transaction.atomic():
        schedule, _created = ProjectSchedule.objects.select_for_update().get_or_create(
            project=project, defaults={"data_date": stored(model.data_date), "name": model.name}
        )
        schedule.activities.all().delete()
        schedule.calendars.all().delete()
        schedule.name = model.name or project.name
        schedule.data_date = stored(model.data_date)
        schedule.start = stored(model.start)
        schedule.deadline = stored(model.deadline)
        schedule.default_calendar = model.default_calendar_id or ""
        schedule.options = options_json(model.options)
        schedule.wbs = wbs_json(model)
        schedule.source, schedule.source_name = source, filename[:200]
        schedule.version += 1
        schedule.save()
        calendars = ScheduleCalendar.objects.bulk_create(
            [calendar_row(schedule, spec) for spec in model.calendars.values()]
        )
        rows = Activity.objects.bulk_create(
            [activity_row(schedule, act, i) for i, act in enumerate(model.activities)],
            batch_size=1000,
        )
        by_key = {row.key: row for row in rows}
        relations = Relation.objects.bulk_create(
            relation_rows(schedule, model, by_key), batch_size=2000
        )
        # Bulk writes bypass the change log's signals: record them here.
        record_changes(
            [
                Change(Action.CREATE, row, None, snapshot(row))
                for row in [*calendars, *rows, *relations]
            ]
        )
        schedule_recompute(schedule=schedule)
    return schedule


def schedule_recompute(*, schedule: ProjectSchedule) -> e.ScheduleResult:
    """Schedule with the engine and store the dates, floats and critical path."""
    model = to_engine(schedule)
    if not model.activities:
        # Nothing to schedule yet; still check that the calendars cover the deadline.
        for spec in model.calendars.values():
            check_coverage(spec, model.data_date, model.deadline)
        ProjectSchedule.objects.filter(pk=schedule.pk).update(
            finish=None, warnings=[], computed_at=timezone.now()
        )
        return e.ScheduleResult(str(schedule.pk), model.data_date, model.data_date,
                                model.deadline, {}, [])  # fmt: skip
    try:
        result = e.schedule(model, model.options)
    except e.SchedulingError as error:
        raise _as_validation_error(error) from error
    with transaction.atomic():
        activities = list(schedule.activities.all())
        for act in activities:
            res = result.activities.get(act.key)
            if res is None:
                continue
            act.early_start = stored(res.early_start)
            act.early_finish = stored(res.early_finish)
            act.late_start = stored(res.late_start)
            act.late_finish = stored(res.late_finish)
            act.total_float_minutes = res.total_float_minutes
            act.free_float_minutes = res.free_float_minutes
            act.hours_per_day = res.hours_per_day
            act.critical = res.critical
            act.longest_path = res.longest_path
        Activity.objects.bulk_update(activities, RESULT_FIELDS, batch_size=1000)
        keys = {a.pk: a.key for a in activities}
        relations = list(schedule.relations.all())
        for rel in relations:
            rel.driving = (keys[rel.predecessor_id], keys[rel.successor_id]) in (
                result.driving_relations
            )
        Relation.objects.bulk_update(relations, ["driving"], batch_size=2000)
        # Computed values, not facts anyone entered: kept out of the audit trail.
        schedule.finish = stored(result.project_finish)
        schedule.warnings = [
            {"code": str(w.code), "message": w.message, "activity": w.activity_id}
            for w in result.warnings
        ]
        schedule.computed_at = timezone.now()
        ProjectSchedule.objects.filter(pk=schedule.pk).update(
            finish=schedule.finish, warnings=schedule.warnings, computed_at=schedule.computed_at
        )
    return result


def activity_update(
    *,
    activity: Activity,
    version: int,
    **fields: Any,
) -> Activity:
    """Change an activity's dates, duration or progress, then reschedule.

    `version` is the schedule's, as the editor saw it; an older one is refused.
    """
    allowed = {
        "original_minutes", "remaining_minutes", "actual_start", "actual_finish", "constraint",
        "constraint_date", "responsible_unit",
    }  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        schedule = ProjectSchedule.objects.select_for_update().get(pk=activity.schedule_id)
        if schedule.version != version:
            raise ValidationError(
                _("Someone changed this schedule after you opened it; reload and try again.")
            )
        current = Activity.objects.get(pk=activity.pk)
        for name, value in fields.items():
            setattr(current, name, stored(value) if isinstance(value, dt.datetime) else value)
        if (
            current.actual_finish
            and current.actual_start
            and (current.actual_finish < current.actual_start)
        ):
            raise ValidationError(_("The actual finish must not be before the actual start."))
        if current.actual_finish and not current.actual_start:
            raise ValidationError(_("An activity that finished must have started."))
        if (
            current.constraint
            and current.constraint != "as_late_as_possible"
            and (not current.constraint_date)
        ):
            raise ValidationError(_("This constraint needs a date."))
        current.save()
        schedule.version += 1
        ProjectSchedule.objects.filter(pk=schedule.pk).update(version=schedule.version)
        schedule_recompute(schedule=schedule)
    current.refresh_from_db()
    return current


def schedule_set_dates(
    *, schedule: ProjectSchedule, data_date: dt.datetime, deadline: dt.datetime | None
) -> ProjectSchedule:
    with transaction.atomic():
        schedule.data_date = stored(data_date)
        schedule.deadline = stored(deadline)
        schedule.version += 1
        schedule.save(update_fields=["data_date", "deadline", "version"])
        schedule_recompute(schedule=schedule)
    return schedule


def baseline_save(*, schedule: ProjectSchedule, name: str) -> Baseline:
    dates = {
        a.key: [
            (wall(a.actual_start or a.early_start) or dt.datetime.min).isoformat(),
            (wall(a.actual_finish or a.early_finish) or dt.datetime.min).isoformat(),
            a.is_milestone,
        ]
        for a in schedule.activities.all()
        if a.early_start or a.actual_start
    }
    return Baseline.objects.create(
        schedule=schedule,
        name=name.strip() or _("Baseline"),
        data_date=schedule.data_date,
        dates=dates,
    )


def baseline_compare(*, schedule: ProjectSchedule, baseline: Baseline) -> list[e.Slip]:
    """Slip per activity and milestone against a saved baseline, in working days."""
    model = to_engine(schedule)
    current = schedule_result(schedule)
    codes = {a.key: a.code for a in schedule.activities.all()}

    def result_of(key: str, start: str, finish: str) -> e.ActivityResult:
        s, f = dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(finish)
        return e.ActivityResult(key, codes.get(key, key), s, f, s, f, 0, 0, 8.0)

    old = e.ScheduleResult(
        schedule_id=str(schedule.pk),
        data_date=wall(baseline.data_date),
        project_finish=current.project_finish,
        deadline=current.deadline,
        activities={k: result_of(k, v[0], v[1]) for k, v in baseline.dates.items()},
        order=list(baseline.dates),
    )
    return e.compare_with_baseline(model, old, current)


def schedule_result(schedule: ProjectSchedule) -> e.ScheduleResult:
    """The stored results, as the engine's result object."""
    activities = list(schedule.activities.all())
    results = {
        a.key: e.ActivityResult(
            a.key,
            a.code,
            wall(a.early_start),
            wall(a.early_finish or a.early_start),
            wall(a.late_start or a.early_start),
            wall(a.late_finish or a.early_finish or a.early_start),
            a.total_float_minutes or 0,
            a.free_float_minutes or 0,
            a.hours_per_day,
            a.critical,
            a.longest_path,
            complete=a.actual_finish is not None,
            in_progress=a.actual_start is not None and a.actual_finish is None,
            actual_start=wall(a.actual_start),
            actual_finish=wall(a.actual_finish),
        )
        for a in activities
        if a.early_start
    }
    return e.ScheduleResult(
        schedule_id=str(schedule.pk),
        data_date=wall(schedule.data_date),
        project_finish=wall(schedule.finish) or wall(schedule.data_date),
        deadline=wall(schedule.deadline),
        activities=results,
        order=[a.key for a in activities],
    )


def schedule_export(*, schedule: ProjectSchedule, fmt: str) -> str:
    model = to_engine(schedule)
    return e.write_xer_text(model) if fmt == "xer" else e.write_mspdi_text(model)


# Building a schedule in the app, without a file.

DAY_MINUTES = 8 * 60


def calendar_from_prc(schedule: ProjectSchedule, days_per_week: int) -> ScheduleCalendar:
    """A PRC working calendar (statutory holidays off, 调休 days worked) for the schedule."""
    try:
        spec = e.prc_calendar(days_per_week=days_per_week, calendar_id=f"prc{days_per_week}")
    except e.CalendarCoverageError as error:
        raise _as_validation_error(error) from error
    spec.name = _("PRC %(n)s-day week") % {"n": days_per_week}
    row = calendar_row(schedule, spec)
    row.save()
    return row


def schedule_create(
    *,
    project: Project,
    name: str,
    days_per_week: int,
    data_date: dt.datetime,
    deadline: dt.datetime | None = None,
) -> ProjectSchedule:
    """An empty schedule with a PRC calendar, its deadline fixed first."""
    if ProjectSchedule.objects.filter(project=project).exists():
        raise ValidationError(_("This project already has a schedule."))
    with transaction.atomic():
        schedule = ProjectSchedule.objects.create(
            project=project,
            name=name.strip() or project.name,
            data_date=stored(data_date),
            start=stored(data_date),
            deadline=stored(deadline or _default_deadline(project)),
            source="app",
        )
        calendar = calendar_from_prc(schedule, days_per_week)
        schedule.default_calendar = calendar.key
        schedule.save(update_fields=["default_calendar"])
        schedule_recompute(schedule=schedule)
    return schedule


def _bump(schedule: ProjectSchedule, version: int) -> ProjectSchedule:
    locked = ProjectSchedule.objects.select_for_update().get(pk=schedule.pk)
    if locked.version != version:
        raise ValidationError(
            _("Someone changed this schedule after you opened it; reload and try again.")
        )
    locked.version += 1
    ProjectSchedule.objects.filter(pk=locked.pk).update(version=locked.version)
    return locked


def activity_add(
    *,
    schedule: ProjectSchedule,
    version: int,
    code: str,
    name: str,
    kind: str,
    duration_days: float,
    responsible_unit: Any = None,
) -> Activity:
    code = code.strip()
    if not code:
        raise ValidationError({"code": _("Give the activity a code.")})
    with transaction.atomic():
        locked = _bump(schedule, version)
        if locked.activities.filter(code=code).exists():
            raise ValidationError({"code": _("Another activity already has this code.")})
        hours = (
            locked.calendars.filter(key=locked.default_calendar)
            .values_list("hours_per_day", flat=True)
            .first()
            or 8.0
        )
        keys = [int(k) for k in locked.activities.values_list("key", flat=True) if k.isdigit()]
        milestone = kind in ("start_milestone", "finish_milestone")
        activity = Activity.objects.create(
            schedule=locked,
            key=str(max(keys, default=0) + 1),
            code=code,
            name=name.strip(),
            kind=kind,
            calendar_key=locked.default_calendar,
            responsible_unit=responsible_unit,
            original_minutes=0 if milestone else round(duration_days * hours * 60),
            hours_per_day=hours,
            position=locked.activities.count(),
        )
        schedule_recompute(schedule=locked)
    return activity


def relation_add(
    *,
    schedule: ProjectSchedule,
    version: int,
    predecessor: Activity,
    successor: Activity,
    kind: str,
    lag_days: float = 0,
) -> Relation:
    """Link two activities; a link that closes a loop is refused, naming the loop."""
    if predecessor.pk == successor.pk:
        raise ValidationError(_("An activity cannot follow itself."))
    with transaction.atomic():
        locked = _bump(schedule, version)
        relation = Relation.objects.create(
            schedule=locked,
            predecessor=predecessor,
            successor=successor,
            kind=kind,
            lag_minutes=round(lag_days * predecessor.hours_per_day * 60),
        )
        schedule_recompute(schedule=locked)  # raises on a loop; the transaction undoes the link
    return relation


def relation_delete(*, relation: Relation, version: int) -> None:
    with transaction.atomic():
        locked = _bump(relation.schedule, version)
        relation.delete()
        schedule_recompute(schedule=locked)


def activity_delete(*, activity: Activity, version: int) -> None:
    with transaction.atomic():
        locked = _bump(activity.schedule, version)
        activity.delete()
        schedule_recompute(schedule=locked)


def calendar_exception_set(
    *, calendar: ScheduleCalendar, day: dt.date, working: bool, version: int
) -> ScheduleCalendar:
    """Make one day a working day (standard hours) or a day off, then reschedule."""
    with transaction.atomic():
        locked = _bump(calendar.schedule, version)
        working_days = [d for d in calendar.week if d]
        hours = working_days[0] if working_days else [[480, 720], [780, 1020]]
        calendar.exceptions = {**calendar.exceptions, day.isoformat(): hours if working else []}
        calendar.save(update_fields=["exceptions"])
        schedule_recompute(schedule=locked)
    return calendar


def calendar_exception_remove(
    *, calendar: ScheduleCalendar, day: dt.date, version: int
) -> ScheduleCalendar:
    with transaction.atomic():
        locked = _bump(calendar.schedule, version)
        calendar.exceptions = {k: v for k, v in calendar.exceptions.items() if k != day.isoformat()}
        calendar.save(update_fields=["exceptions"])
        schedule_recompute(schedule=locked)
    return calendar


def calendar_cover_year(*, calendar: ScheduleCalendar, year: int, version: int) -> None:
    """Declare that `year`'s holidays and 调休 days are entered as exceptions, so that the
    calendar may be used in that year (the next year after those already covered)."""
    first, last = calendar.covered_years or (year, year - 1)
    if year != last + 1:
        raise ValidationError(
            _("Declare the years in order: the next one is %(year)s.") % {"year": last + 1}
        )
    with transaction.atomic():
        locked = _bump(calendar.schedule, version)
        calendar.covered_years = [first, year]
        calendar.save(update_fields=["covered_years"])
        schedule_recompute(schedule=locked)
