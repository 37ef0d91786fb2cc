import io

import pytest
from django.core.management import CommandError, call_command

from keyprojects.audit.models import AuditEntry


def test_verify_reports_an_intact_trail(world):
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert str(AuditEntry.objects.count()) in out.getvalue()


def test_verify_names_the_altered_entry_and_fails(world):
    victim = AuditEntry.objects.order_by("seq")[3]
    AuditEntry.objects.filter(pk=victim.pk).update(after={"name": "篡改"})
    with pytest.raises(CommandError, match=f"#{victim.seq}"):
        call_command("audit", "verify")


def test_the_console_script_exits_non_zero_on_a_broken_trail(world, monkeypatch):
    from keyprojects import cli

    AuditEntry.objects.filter(seq=2).delete()
    monkeypatch.setattr("sys.argv", ["keyprojects", "audit", "verify"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code != 0
