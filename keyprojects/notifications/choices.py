from django.db import models
from django.utils.translation import gettext_lazy as _


class KindGroup(models.TextChoices):
    """Where a kind of notice comes from; the settings page lists kinds under these."""

    TASKS = "tasks", _("Supervised tasks")
    PROBLEMS = "problems", _("Problems and demands")
    REPORTS = "reports", _("Monthly reports")
    MEETINGS = "meetings", _("Dispatch meetings and site visits")
    INSPECTIONS = "inspections", _("Inspections and hazards")
    ALERTS = "alerts", _("Alerts")
    ASSESSMENT = "assessment", _("Assessment and bulletins")
    OTHER = "other", _("Other")


class WebhookFormat(models.TextChoices):
    GENERIC = "generic", _("Generic JSON (signed)")
    WECOM = "wecom", _("WeCom group robot (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk group robot (钉钉)")
    FEISHU = "feishu", _("Feishu group robot (飞书)")


class EventStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Gave up")
