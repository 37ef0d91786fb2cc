from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from keyprojects.api.models import ApiToken

from .conftest import ApiClient


def test_it_prints_a_key_that_works_once(world):
    out, err = StringIO(), StringIO()

    call_command("issue_token", "owner_user", "--name", "月报脚本", stdout=out, stderr=err)

    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=world.owner_user)
    assert token.name == "月报脚本"
    assert key not in token.digest
    assert "not stored" in err.getvalue()
    assert ApiClient(key).get("/api/projects/").status_code == 200


def test_it_names_the_token_when_no_name_is_given(world):
    call_command("issue_token", "leader", stdout=StringIO(), stderr=StringIO())

    assert ApiToken.objects.get(user=world.leader).name == "command line"


def test_it_refuses_an_unknown_person(world):
    with pytest.raises(CommandError, match="nobody"):
        call_command("issue_token", "nobody", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_it_refuses_an_inactive_person(world):
    world.auditor.is_active = False
    world.auditor.save()

    with pytest.raises(CommandError):
        call_command("issue_token", "auditor", stdout=StringIO(), stderr=StringIO())
