from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from keyprojects.organisations.models import Jurisdiction, Unit
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import Project

from .defaults import TEMPLATE_NAMES, steps_for
from .models import ProcedureStep, ProcedureTemplate, StepStatus, TemplateKind, TemplateStep

OPEN = (StepStatus.TODO, StepStatus.IN_PROGRESS)


def templates_ensure(*, jurisdiction: Jurisdiction) -> list[ProcedureTemplate]:
    """The jurisdiction's templates, created from the usual steps the first time."""
    with transaction.atomic():
        for kind in TemplateKind:
            if ProcedureTemplate.objects.filter(jurisdiction=jurisdiction, kind=kind).exists():
                continue
            template = ProcedureTemplate.objects.create(
                jurisdiction=jurisdiction, kind=kind, name=TEMPLATE_NAMES[kind]
            )
            for i, (name, phase, dept, before) in enumerate(steps_for(kind), start=1):
                TemplateStep.objects.create(
                    template=template,
                    position=i,
                    name=name,
                    phase=phase,
                    department=dept,
                    before_start=before,
                )
    return list(ProcedureTemplate.objects.filter(jurisdiction=jurisdiction))


def checklist_create(*, project: Project, template: ProcedureTemplate) -> list[ProcedureStep]:
    if ProcedureStep.objects.filter(project=project).exists():
        raise ValidationError(_("This project already has its checklist."))
    units = {u.name: u for u in Unit.objects.filter(jurisdiction=project.jurisdiction)}
    with transaction.atomic():
        return [
            ProcedureStep.objects.create(
                project=project,
                position=step.position,
                name=step.name,
                phase=step.phase,
                department=units.get(step.department),
                department_name=step.department,
                before_start=step.before_start,
            )
            for step in template.steps.all()
        ]


def step_update(*, step: ProcedureStep, **fields: Any) -> ProcedureStep:
    for name, value in fields.items():
        setattr(step, name, value)
    errors: dict[str, str] = {}
    if step.applied_on and step.approved_on and step.approved_on < step.applied_on:
        errors["approved_on"] = _("The approval cannot come before the application.")
    if step.planned_start and step.planned_finish and step.planned_finish < step.planned_start:
        errors["planned_finish"] = _("The planned finish cannot come before the planned start.")
    if step.status == StepStatus.DONE and not step.approved_on:
        errors["approved_on"] = _("A step that is done needs its approval date.")
    if step.approved_on and step.status in OPEN:
        step.status = StepStatus.DONE
    if errors:
        raise ValidationError(errors)
    step.full_clean()
    step.save()
    return step


@dataclass
class Blocking:
    project: Project
    remaining: list[ProcedureStep]
    done: int
    total: int


def blocking_steps(projects: QuerySet[Project]) -> list[Blocking]:
    """For projects not yet started: the steps still open before works may start."""
    waiting = projects.filter(stage__in=[Stage.RESERVE, Stage.PRELIMINARY]).select_related(
        "owner_unit"
    )
    steps = defaultdict(list)
    for step in ProcedureStep.objects.filter(project__in=waiting, before_start=True).select_related(
        "department"
    ):
        steps[step.project_id].append(step)
    rows = []
    for project in waiting.order_by("planned_start", "name"):
        mine = steps.get(project.pk, [])
        remaining = [s for s in mine if s.status in OPEN]
        rows.append(Blocking(project, remaining, len(mine) - len(remaining), len(mine)))
    return rows


@dataclass
class Duration:
    key: str
    count: int
    median_days: float
    slowest_days: int
    slowest_project: str


def durations(projects: QuerySet[Project], *, by: str) -> list[Duration]:
    """How long approvals took from application to approval, per step or per department."""
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for step in ProcedureStep.objects.filter(
        project__in=projects, applied_on__isnull=False, approved_on__isnull=False
    ).select_related("project", "department"):
        key = (
            step.name
            if by == "step"
            else (step.department.name if step.department else step.department_name or "—")
        )
        found[key].append((step.duration_days or 0, step.project.name))
    rows = []
    for key, values in found.items():
        slowest = max(values)
        rows.append(Duration(key, len(values), statistics.median(v for v, _n in values), *slowest))
    return sorted(rows, key=lambda d: -d.median_days)


def template_step_add(
    *, template: ProcedureTemplate, name: str, phase: str, department: str, before_start: bool
) -> TemplateStep:
    if not name.strip():
        raise ValidationError({"name": _("Name the step.")})
    with transaction.atomic():
        last = template.steps.order_by("-position").values_list("position", flat=True).first()
        step = TemplateStep(
            template=template,
            position=(last or 0) + 1,
            name=name.strip(),
            phase=phase,
            department=department.strip(),
            before_start=before_start,
        )
        step.full_clean()
        step.save()
    return step


def template_step_move(*, step: TemplateStep, up: bool) -> None:
    """Swap a step with its neighbour; projects' checklists made before keep their order."""
    siblings = list(step.template.steps.order_by("position"))
    i = next(n for n, s in enumerate(siblings) if s.pk == step.pk)
    j = i - 1 if up else i + 1
    if not 0 <= j < len(siblings):
        return
    with transaction.atomic():
        a, b = siblings[i], siblings[j]
        a.position, b.position = b.position, a.position
        a.save(update_fields=["position"])
        b.save(update_fields=["position"])


def template_step_delete(*, step: TemplateStep) -> None:
    with transaction.atomic():
        template = step.template
        step.delete()
        for n, s in enumerate(template.steps.order_by("position"), start=1):
            if s.position != n:
                s.position = n
                s.save(update_fields=["position"])
