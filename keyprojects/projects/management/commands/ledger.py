"""`keyprojects ledger export FILE.xlsx` and `keyprojects ledger import FILE.xlsx`."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.organisations.choices import JurisdictionLevel
from keyprojects.organisations.models import Jurisdiction
from keyprojects.projects.excel import LedgerPreview, ledger_export, ledger_import
from keyprojects.projects.models import Project


class Command(BaseCommand):
    help = "Export the project ledger to Excel, or import a ledger from Excel."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write the year's ledger as .xlsx.")
        export.add_argument("file")
        imp = sub.add_parser("import", help="Read a ledger .xlsx and save its projects.")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="Check and preview; save nothing.")
        imp.add_argument("--json", action="store_true", help="Print the preview as JSON.")
        imp.add_argument(
            "--no-new-units",
            action="store_true",
            help="Treat a unit the jurisdiction does not have as an error.",
        )
        for action in (export, imp):
            action.add_argument("--year", type=int, help="The ledger's year.")
            action.add_argument(
                "--jurisdiction",
                help="Division code; defaults to KEYPROJECTS_DEFAULT_JURISDICTION, else the "
                "district with the most projects.",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        jurisdiction = self._jurisdiction(options.get("jurisdiction"))
        with acting(channel=Channel.COMMAND):
            if options["action"] == "export":
                self._export(options, jurisdiction)
            else:
                self._import(options, jurisdiction)

    def _jurisdiction(self, code: str | None) -> Jurisdiction:
        if code:
            found = Jurisdiction.objects.filter(code=code).first()
            if found is None:
                raise CommandError(_("No jurisdiction has the code %(code)s.") % {"code": code})
            return found
        default = getattr(settings, "KEYPROJECTS_DEFAULT_JURISDICTION", "")
        if default:
            return self._jurisdiction(default)
        # The deployment's own district: the only one, else the one with the most projects.
        districts = list(Jurisdiction.objects.filter(level=JurisdictionLevel.DISTRICT))
        counts = dict(
            Project.objects.order_by().values_list("jurisdiction").annotate(n=Count("id"))
        )
        districts.sort(key=lambda d: (-counts.get(d.pk, 0), d.code))
        chosen = districts[0] if districts else None
        if chosen is None:
            raise CommandError(
                _("There is no district yet; create one, or run `keyprojects demo`.")
            )
        if len(districts) > 1:
            self.stderr.write(
                _("Using %(name)s (%(code)s); choose another with --jurisdiction CODE.")
                % {"name": chosen.name, "code": chosen.code}
            )
        return chosen

    def _export(self, options: dict[str, Any], jurisdiction: Jurisdiction) -> None:
        year = options.get("year") or timezone.localdate().year
        projects = Project.objects.filter(jurisdiction_id__in=jurisdiction.subtree_ids())
        ledger_export(projects, year=year, output=options["file"])
        self.stdout.write(
            _("Wrote the %(year)s ledger of %(jurisdiction)s to %(file)s.")
            % {"year": year, "jurisdiction": jurisdiction.name, "file": options["file"]}
        )

    def _import(self, options: dict[str, Any], jurisdiction: Jurisdiction) -> None:
        try:
            handle = open(options["file"], "rb")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        with handle:
            preview = ledger_import(
                handle,
                jurisdiction=jurisdiction,
                year=options.get("year"),
                allow_new_units=not options["no_new_units"],
                dry_run=options["dry_run"],
            )
        if options["json"]:
            self.stdout.write(json.dumps(preview.as_json(), ensure_ascii=False, indent=2))
        else:
            self._report(preview)
        if preview.errors:
            raise CommandError(
                _("%(count)s errors; nothing was saved.") % {"count": len(preview.errors)},
                returncode=2,
            )

    def _report(self, preview: LedgerPreview) -> None:
        counts = preview.counts()
        for problem in preview.errors:
            where = _("row %(row)s") % {"row": problem.row} if problem.row else _("file")
            column = f" [{problem.column}]" if problem.column else ""
            self.stderr.write(f"{where}{column}: {problem.message}")
        for problem in preview.warnings:
            where = _("row %(row)s") % {"row": problem.row} if problem.row else _("file")
            column = f" [{problem.column}]" if problem.column else ""
            self.stdout.write(_("warning") + f" {where}{column}: {problem.message}")
        for unit in preview.new_units:
            self.stdout.write(_("new unit: %(name)s") % {"name": unit.name})
        summary = _(
            "%(year)s ledger: %(create)s to create, %(update)s to update, %(unchanged)s unchanged."
        ) % {"year": preview.year or "?", **counts}
        self.stdout.write(summary)
        if preview.applied:
            self.stdout.write(_("Saved."))
        elif not preview.errors:
            self.stdout.write(_("Dry run: nothing was saved."))
