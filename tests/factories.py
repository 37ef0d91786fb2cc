"""Factories for the records every test needs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from keyprojects.organisations.choices import JurisdictionLevel, Role, UnitKind
from keyprojects.organisations.models import Jurisdiction, Unit, User
from keyprojects.projects.choices import Industry, Level, Stage
from keyprojects.projects.models import AnnualPlan, Project


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试区{n}")
    code = factory.Sequence(lambda n: f"{500100 + n}")
    level = JurisdictionLevel.DISTRICT


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.STATE_COMPANY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.PROGRAMME_OFFICE
    jurisdiction = factory.SubFactory(JurisdictionFactory)
    password = factory.django.Password("pass-for-tests-1")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    code = factory.Sequence(lambda n: f"2024-500103-78-01-{n:06d}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    level = Level.DISTRICT
    industry = Industry.URBAN_RENEWAL
    owner_unit = factory.SubFactory(
        UnitFactory, jurisdiction=factory.SelfAttribute("..jurisdiction")
    )
    responsible_unit = factory.SubFactory(
        UnitFactory, jurisdiction=factory.SelfAttribute("..jurisdiction")
    )
    total_investment = Decimal("100000000.00")
    stage = Stage.CONSTRUCTION
    planned_start = dt.date(2024, 3, 1)
    planned_completion = dt.date(2026, 12, 31)
    actual_start = dt.date(2024, 3, 15)


class AnnualPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualPlan

    project = factory.SubFactory(ProjectFactory)
    year = 2026
    investment_target = Decimal("30000000.00")
