from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.projects.choices import Light
from keyprojects.projects.models import AnnualPlan, Project
from keyprojects.projects.permissions import programme_office_required, project_for

from .choices import ReportStatus
from .forms import ReportForm
from .models import MonthlyLight, MonthlyReport
from .reminders import missing_reports
from .services import (
    REPORT_FIELDS,
    GridRow,
    accepted_totals,
    photo_add,
    project_pace,
    report_accept,
    report_due_date,
    report_return,
    report_save,
    report_submit,
    reports_save_grid,
    start_overdue,
)
from .template_xlsx import read_template, template_bytes


def _period(request: HttpRequest) -> tuple[int, int]:
    """The month asked for, else last month: the one being reported now."""
    today = timezone.localdate()
    default_year, default_month = (today.year, today.month - 1) if today.month > 1 else (
        today.year - 1, 12,
    )  # fmt: skip
    try:
        year = int(request.GET.get("year") or default_year)
        month = int(request.GET.get("month") or default_month)
    except ValueError:
        return default_year, default_month
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return default_year, default_month
    return year, month


@login_required
def project_reports(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    reports = list(project.reports.all())
    today = timezone.localdate()
    for r in reports:
        r.due = report_due_date(r.year, r.month)  # type: ignore[attr-defined]
        r.late = (r.submitted_at.date() if r.submitted_at else today) > r.due  # type: ignore[attr-defined]
    year, month = _period(request)
    return render(
        request,
        "progress/project_reports.html",
        {
            "nav": "ledger", "project": project, "reports": reports, "year": year,
            "month": month,
            "can_edit": Project.objects.editable_by(request.user).filter(pk=pk).exists(),
            "lights": MonthlyLight.objects.filter(project=project).order_by("-year", "-month")[:24],
        },
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    project = project_for(request, pk)
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise PermissionDenied
    report = MonthlyReport.objects.filter(project=project, year=year, month=month).first()
    can_edit = Project.objects.editable_by(request.user).filter(pk=pk).exists()
    editable = can_edit and (
        report is None or report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
    )
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            fields = {k: form.cleaned_data[k] for k in REPORT_FIELDS}
            try:
                saved = report_save(
                    project=project, year=year, month=month,
                    version=form.cleaned_data.get("version"), **fields,
                )  # fmt: skip
                if "submit" in request.POST:
                    report_submit(report=saved)
                    messages.success(request, _("The report was submitted for review."))
                else:
                    messages.success(request, _("The draft was saved."))
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errs in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errs)
                else:
                    form.add_error(None, error)
            else:
                return redirect("progress:project", pk=project.pk)
    plan = AnnualPlan.objects.filter(project=project, year=year).first()
    ytd, since_start, _found = accepted_totals(project, year, month)
    return render(
        request,
        "progress/report_form.html",
        {
            "nav": "ledger", "project": project, "report": report, "form": form,
            "year": year, "month": month, "editable": editable, "plan": plan, "ytd": ytd,
            "since_start": since_start, "due": report_due_date(year, month),
            "pace": project_pace(project=project, year=year, month=month),
            "revisions": report.revisions.select_related("actor") if report else [],
            "photos": report.photos.all() if report else [],
            "can_add_photos": can_edit and report is not None
            and report.status != ReportStatus.ACCEPTED,
        },
    )  # fmt: skip


@programme_office_required
def review_list(request: HttpRequest) -> HttpResponse:
    year, month = _period(request)
    projects = Project.objects.visible_to(request.user)
    waiting = (
        MonthlyReport.objects.filter(project__in=projects, status=ReportStatus.SUBMITTED)
        .select_related("project", "project__owner_unit")
        .order_by("year", "month", "project__name")
    )
    missing = missing_reports(projects, year, month, timezone.localdate())
    return render(
        request, "progress/review.html", {"nav": "reports", "waiting": waiting, "year": year,
                                          "month": month, "missing": missing},
    )  # fmt: skip


@programme_office_required
@require_POST
def review_decide(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(
        MonthlyReport.objects.filter(project__in=Project.objects.editable_by(request.user)),
        pk=report_id,
    )
    comment = request.POST.get("comment", "")
    try:
        if request.POST.get("decision") == "accept":
            report_accept(report=report, comment=comment)
            messages.success(request, _("Accepted: %(report)s") % {"report": report})
        else:
            report_return(report=report, comment=comment)
            messages.success(request, _("Returned: %(report)s") % {"report": report})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("progress:review")


@login_required
def behind_list(request: HttpRequest) -> HttpResponse:
    """Projects behind their time-proportional target (序时进度) in a month; `light` narrows
    to one light (green too), `owner_unit` to one owner unit's projects."""
    year, month = _period(request)
    user: Any = request.user
    projects = Project.objects.visible_to(user)
    owner_unit = request.GET.get("owner_unit", "")
    if owner_unit.isdigit():
        projects = projects.filter(owner_unit_id=int(owner_unit))
    lights = MonthlyLight.objects.filter(project__in=projects, year=year, month=month)
    light = request.GET.get("light", "")
    lights = lights.filter(light=light) if light in Light.values else lights.exclude(light="green")
    lights = lights.select_related(
        "project", "project__owner_unit", "project__responsible_unit"
    ).order_by("gap_points")
    return render(
        request, "progress/behind.html",
        {"nav": "behind", "lights": lights, "year": year, "month": month,
         "can_review": user.is_programme_office,
         "not_started": start_overdue(projects, year, month)},
    )  # fmt: skip


@login_required
@require_POST
def photo_upload(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    report = get_object_or_404(MonthlyReport, project=project, year=year, month=month)
    files = request.FILES.getlist("photos")
    if not files:
        messages.error(request, _("Choose one or more photos."))
    for upload in files:
        try:
            photo = photo_add(
                report=report, data=upload.read(), caption=request.POST.get("caption", "")
            )
        except ValidationError as error:
            messages.error(request, f"{upload.name}: " + " ".join(error.messages))
        else:
            if photo.needs_review:
                messages.warning(
                    request,
                    _("%(name)s was taken outside the month or away from the site; the reviewer "
                      "will see a mark.") % {"name": upload.name},
                )  # fmt: skip
    return redirect("progress:report", pk=project.pk, year=year, month=month)


GRID_FIELDS = ("investment", "progress_percent", "managers", "workers", "progress_text")


@login_required
@require_http_methods(["GET", "POST"])
def report_grid(request: HttpRequest) -> HttpResponse:
    """One grid for all the projects a unit reports on, for one month."""
    year, month = _period(request)
    projects = list(
        Project.objects.editable_by(request.user)
        .filter(stage__in=["construction", "preliminary"])
        .select_related("owner_unit")
        .order_by("owner_unit__name", "name")
    )
    existing = {
        r.project_id: r
        for r in MonthlyReport.objects.filter(project__in=projects, year=year, month=month)
    }
    errors: dict[int, dict[str, list[str]]] = {}
    posted: dict[int, dict[str, str]] = {}
    if request.GET.get("download"):
        data = template_bytes(projects, existing, year, month)
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = (
            content_disposition_header(True, f"{year}年{month}月月报.xlsx") or ""
        )
        return response
    if request.method == "POST" and "template" in request.FILES:
        # Fill the grid from the uploaded template; nothing is saved until it is confirmed.
        filled, problems = read_template(request.FILES.getlist("template")[0].read(), projects)
        for problem in problems:
            messages.error(request, problem)
        posted.update(filled)
        if filled and not problems:
            messages.info(request, _("Check the values read from the file, then save or submit."))
    elif request.method == "POST":
        rows, parse_errors = _grid_rows(request, projects, existing, posted)
        errors = parse_errors or reports_save_grid(
            year=year, month=month, rows=rows, submit="submit" in request.POST
        )
        if not errors:
            messages.success(
                request,
                _("Saved %(n)s reports for %(period)s.")
                % {"n": len(rows), "period": f"{year}-{month:02d}"},
            )
            return redirect(f"{request.path}?year={year}&month={month}")
        messages.error(request, _("Nothing was saved; correct the rows marked below."))
    lines = []
    for project in projects:
        report = existing.get(project.pk)
        values = posted.get(project.pk) or _grid_initial(report)
        if locked_report(report):
            values = _grid_initial(report)
        locked = locked_report(report)
        lines.append({"project": project, "report": report, "values": values,
                      "errors": errors.get(project.pk, {}), "locked": locked})  # fmt: skip
    return render(
        request,
        "progress/grid.html",
        {"nav": "grid", "year": year, "month": month, "lines": lines},
    )


def _grid_rows(
    request: HttpRequest,
    projects: list[Project],
    existing: dict[int, MonthlyReport],
    posted: dict[int, dict[str, str]],
) -> tuple[list[GridRow], dict[int, dict[str, list[str]]]]:
    rows, errors = [], {}
    for project in projects:
        report = existing.get(project.pk)
        if locked_report(report):
            continue
        raw = {f: request.POST.get(f"{f}-{project.pk}", "").strip() for f in GRID_FIELDS}
        posted[project.pk] = raw
        if not any(raw.values()):
            continue
        values: dict[str, Any] = {"progress_text": raw["progress_text"]}
        problems: dict[str, list[str]] = {}
        for name, convert in (("investment", _wan), ("progress_percent", Decimal),
                              ("managers", int), ("workers", int)):  # fmt: skip
            if not raw[name]:
                values[name] = Decimal(0) if name == "investment" else (
                    None if name == "progress_percent" else 0
                )  # fmt: skip
                continue
            try:
                values[name] = convert(raw[name])
            except (ArithmeticError, ValueError):
                problems[name] = [_("Enter a number.")]
        if problems:
            errors[project.pk] = problems
        else:
            rows.append(GridRow(project, values))
    return rows, errors


def _wan(text: str) -> Decimal:
    return (Decimal(text.replace(",", "")) * 10000).quantize(Decimal("0.01"))


def _grid_initial(report: MonthlyReport | None) -> dict[str, str]:
    if report is None:
        return dict.fromkeys(GRID_FIELDS, "")

    def plain(value: Decimal | None) -> str:
        return "" if value is None else format(value.normalize(), "f")

    return {
        "investment": plain(report.investment / 10000),
        "progress_percent": plain(report.progress_percent),
        "managers": str(report.managers),
        "workers": str(report.workers),
        "progress_text": report.progress_text,
    }


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def locked_report(report: MonthlyReport | None) -> bool:
    return report is not None and report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
