"""Fixed personas: a district with its programme office, leader, unit users and auditor,
and an outsider from another district."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from keyprojects.organisations.choices import JurisdictionLevel, Role, UnitKind
from keyprojects.organisations.models import Jurisdiction, Unit, User
from keyprojects.projects.models import Project

from .factories import JurisdictionFactory, ProjectFactory, UnitFactory, UserFactory

# CI explores the same examples every run, so that a red build is reproducible.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

PASSWORD = "pass-for-tests-1"


@dataclass
class World:
    city: Jurisdiction
    district: Jurisdiction
    other_district: Jurisdiction
    owner: Unit
    responsible: Unit
    bystander_unit: Unit
    office: User
    leader: User
    owner_user: User
    responsible_user: User
    bystander_user: User
    auditor: User
    outsider: User
    project: Project
    other_project: Project
    foreign_project: Project

    def personas(self) -> dict[str, User]:
        return {
            "office": self.office,
            "leader": self.leader,
            "owner_user": self.owner_user,
            "responsible_user": self.responsible_user,
            "bystander_user": self.bystander_user,
            "auditor": self.auditor,
            "outsider": self.outsider,
        }


@pytest.fixture
def world(db: Any) -> World:
    city = JurisdictionFactory(name="重庆市", code="500000", level=JurisdictionLevel.CITY)
    district = JurisdictionFactory(name="渝中区", code="500103", parent=city)
    other = JurisdictionFactory(name="江北区", code="500105", parent=city)
    owner = UnitFactory(jurisdiction=district, name="区城投公司", kind=UnitKind.STATE_COMPANY)
    responsible = UnitFactory(
        jurisdiction=district, name="区住房城市建委", kind=UnitKind.DEPARTMENT
    )
    bystander = UnitFactory(jurisdiction=district, name="区城管局", kind=UnitKind.DEPARTMENT)
    other_unit = UnitFactory(jurisdiction=other, name="江北区城投公司")

    def person(
        username: str, role: str, jurisdiction: Jurisdiction, unit: Unit | None = None
    ) -> User:
        return UserFactory(username=username, role=role, jurisdiction=jurisdiction, unit=unit)

    return World(
        city=city,
        district=district,
        other_district=other,
        owner=owner,
        responsible=responsible,
        bystander_unit=bystander,
        office=person("office", Role.PROGRAMME_OFFICE, district),
        leader=person("leader", Role.LEADER, district),
        owner_user=person("owner_user", Role.UNIT_USER, district, owner),
        responsible_user=person("responsible_user", Role.UNIT_USER, district, responsible),
        bystander_user=person("bystander_user", Role.UNIT_USER, district, bystander),
        auditor=person("auditor", Role.AUDITOR, district),
        outsider=person("outsider", Role.PROGRAMME_OFFICE, other),
        project=ProjectFactory(
            jurisdiction=district,
            name="老鼓楼衙署遗址公园",
            owner_unit=owner,
            responsible_unit=responsible,
        ),
        other_project=ProjectFactory(
            jurisdiction=district,
            name="珊瑚公园滨江公园",
            owner_unit=bystander,
            responsible_unit=bystander,
        ),
        foreign_project=ProjectFactory(
            jurisdiction=other,
            name="江北嘴项目",
            owner_unit=other_unit,
            responsible_unit=other_unit,
        ),
    )


@pytest.fixture
def client_for(world: World) -> Any:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_head(request: pytest.FixtureRequest) -> None:
    """The audit chain's head row comes from a data migration; a transactional test's flush
    removes it, so make sure every test that touches the database starts with one."""
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker is not None:
        request.getfixturevalue("db")
    else:
        return
    from keyprojects.audit.models import AuditHead

    AuditHead.objects.get_or_create(pk=1)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: remembered ledger totals belong to one test's data."""
    from django.core.cache import cache

    cache.clear()
