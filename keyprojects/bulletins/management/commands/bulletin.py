"""`keyprojects bulletin --year Y --month M --out FILE.docx` (or `.pdf`): write the month's
bulletin without the web page, for scheduled jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils.translation import gettext as _

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.bulletins import services
from keyprojects.bulletins.choices import FileKind
from keyprojects.bulletins.forms import last_month
from keyprojects.bulletins.models import Bulletin
from keyprojects.bulletins.rendering import cjk_font_available
from keyprojects.organisations.choices import JurisdictionLevel
from keyprojects.organisations.models import Jurisdiction
from keyprojects.projects.models import Project


class Command(BaseCommand):
    help = (
        "Write the month's bulletin as .docx or .pdf. A draft is made for the month when there "
        "is none, and a draft's figures are taken afresh; a published bulletin's archived file "
        "is written as it was issued."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        year, month = last_month()
        parser.add_argument("--year", type=int, default=year, help="Default: last month's.")
        parser.add_argument("--month", type=int, default=month, choices=range(1, 13))
        parser.add_argument("--out", required=True, help="The file to write: .docx or .pdf.")
        parser.add_argument(
            "--jurisdiction",
            help="Division code; defaults to KEYPROJECTS_DEFAULT_JURISDICTION, else the "
            "district with the most projects.",
        )
        parser.add_argument(
            "--keep-figures",
            action="store_true",
            help="Use a draft's figures as they were taken, without refreshing them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        kind = out.suffix.lower().lstrip(".")
        if kind not in FileKind.values:
            raise CommandError(_("The output file must end in .docx or .pdf."))
        if not out.parent.is_dir():
            raise CommandError(_("There is no folder %(folder)s.") % {"folder": out.parent})
        if kind == FileKind.PDF and not cjk_font_available():
            self.stderr.write(
                _(
                    "No font with Chinese characters was found (fc-list :lang=zh); install "
                    "fonts-noto-cjk, or the PDF will show no Chinese text."
                )
            )
        jurisdiction = self._jurisdiction(options.get("jurisdiction"))
        year, month = options["year"], options["month"]
        with acting(channel=Channel.COMMAND):
            try:
                data, note = self._bulletin_file(jurisdiction, year, month, kind, options)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
        out.write_bytes(data)
        self.stdout.write(note + " " + _("Wrote %(file)s.") % {"file": out})

    def _bulletin_file(
        self, jurisdiction: Jurisdiction, year: int, month: int, kind: str, options: Any
    ) -> tuple[bytes, str]:
        bulletin = Bulletin.objects.filter(
            jurisdiction=jurisdiction, year=year, month=month
        ).first()
        if bulletin is not None and bulletin.is_published:
            if not bulletin.file_intact(kind):
                raise CommandError(
                    _("The archived file of %(bulletin)s no longer matches its fingerprint.")
                    % {"bulletin": bulletin}
                )
            with bulletin.file_of(kind).open("rb") as handle:
                data = handle.read()
            return data, _("%(bulletin)s is published; its archived file was written.") % {
                "bulletin": bulletin
            }
        created = bulletin is None
        if bulletin is None:
            bulletin = services.bulletin_create(jurisdiction=jurisdiction, year=year, month=month)
        if created or not options["keep_figures"] or services.content_of(bulletin) is None:
            bulletin = services.bulletin_refresh(bulletin=bulletin)
        data = services.bulletin_render_one(bulletin=bulletin, kind=kind)
        if created:
            note = _("Drafted %(bulletin)s for %(year)s-%(month)02d.")
        else:
            note = _("Wrote the draft %(bulletin)s for %(year)s-%(month)02d.")
        return data, note % {"bulletin": bulletin, "year": year, "month": month}

    def _jurisdiction(self, code: str | None) -> Jurisdiction:
        if code:
            found = Jurisdiction.objects.filter(code=code).first()
            if found is None:
                raise CommandError(_("No jurisdiction has the code %(code)s.") % {"code": code})
            return found
        default = getattr(settings, "KEYPROJECTS_DEFAULT_JURISDICTION", "")
        if default:
            return self._jurisdiction(default)
        districts = list(Jurisdiction.objects.filter(level=JurisdictionLevel.DISTRICT))
        counts = dict(
            Project.objects.order_by().values_list("jurisdiction").annotate(n=Count("id"))
        )
        districts.sort(key=lambda d: (-counts.get(d.pk, 0), d.code))
        if not districts:
            raise CommandError(
                _("There is no district yet; create one, or run `keyprojects demo`.")
            )
        if len(districts) > 1:
            self.stderr.write(
                _("Using %(name)s (%(code)s); choose another with --jurisdiction CODE.")
                % {"name": districts[0].name, "code": districts[0].code}
            )
        return districts[0]
