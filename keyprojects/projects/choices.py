from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    RESERVE = "reserve", _("Reserve")
    PRELIMINARY = "preliminary", _("Preliminary work")
    CONSTRUCTION = "construction", _("Under construction")
    COMPLETED = "completed", _("Completed")
    OPERATING = "operating", _("In operation")
    CANCELLED = "cancelled", _("Cancelled")


class Batch(models.TextChoices):
    """The annual batch (四个一批): derived from stage, dates and year, never typed."""

    NEW_START = "new_start", _("New start")
    CONTINUING = "continuing", _("Continuing")
    COMPLETED = "completed", _("Completing")
    RESERVE = "reserve", _("Reserve")


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    MUNICIPAL = "municipal", _("Municipal")
    DISTRICT = "district", _("District")


class Industry(models.TextChoices):
    TRANSPORT = "transport", _("Transport")
    MUNICIPAL = "municipal", _("Municipal utilities")
    URBAN_RENEWAL = "urban_renewal", _("Urban renewal")
    CULTURE_TOURISM = "culture_tourism", _("Culture and tourism")
    INDUSTRY = "industry", _("Industry and manufacturing")
    SERVICES = "services", _("Modern services")
    SOCIAL = "social", _("Social services")
    ECOLOGY = "ecology", _("Ecology and environment")
    ENERGY = "energy", _("Energy")
    WATER = "water", _("Water")
    HOUSING = "housing", _("Housing")
    OTHER = "other", _("Other")


class Light(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class Milestone(models.TextChoices):
    START = "start", _("Start of works")
    COMPLETION = "completion", _("Completion")
    PRELIMINARY = "preliminary", _("Preliminary work done")
    OPERATION = "operation", _("In operation")
    OTHER = "other", _("Other")
