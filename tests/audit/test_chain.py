from decimal import Decimal

import pytest

from keyprojects.audit.choices import Action, Channel
from keyprojects.audit.context import acting
from keyprojects.audit.models import AuditEntry
from keyprojects.audit.services import verify_chain
from keyprojects.projects.services import project_update


def test_it_records_who_and_through_what(world):
    with acting(actor=world.office, channel=Channel.COMMAND):
        project_update(project=world.project, version=1, total_investment=Decimal("5.00"))
    entry = AuditEntry.objects.filter(action=Action.UPDATE, model="projects.project").first()
    assert entry.actor == world.office
    assert entry.channel == Channel.COMMAND
    assert entry.before["total_investment"] == "100000000.00"
    assert entry.after["total_investment"] == "5.00"


def test_the_chain_holds_until_an_entry_is_altered(world):
    assert verify_chain() is None
    victim = AuditEntry.objects.order_by("seq")[2]
    AuditEntry.objects.filter(pk=victim.pk).update(object_repr="forged")
    problem = verify_chain()
    assert problem is not None and problem.seq == victim.seq


@pytest.mark.parametrize("which", ["middle", "last"])
def test_a_removed_entry_is_found(world, which):
    entries = list(AuditEntry.objects.order_by("seq"))
    victim = entries[len(entries) // 2] if which == "middle" else entries[-1]
    AuditEntry.objects.filter(pk=victim.pk).delete()
    problem = verify_chain()
    assert problem is not None and problem.seq == victim.seq
