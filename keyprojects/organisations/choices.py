from django.db import models
from django.utils.translation import gettext_lazy as _


class JurisdictionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("Government department")
    COMMITTEE = "committee", _("Management committee")
    STATE_COMPANY = "state_company", _("State-owned company")
    PRIVATE_COMPANY = "private_company", _("Private company")


class Role(models.TextChoices):
    PROGRAMME_OFFICE = "programme_office", _("Programme office")
    LEADER = "leader", _("Leader")
    UNIT_USER = "unit_user", _("Unit user")
    AUDITOR = "auditor", _("Auditor")
