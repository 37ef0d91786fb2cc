from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification


def notify(
    users: Iterable[Any], *, kind: str, key: str, title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """Send a notice once per person, kind and key: in the inbox, and by email where the person
    has an address. A repeated call (a job run twice) sends nothing more."""
    sent = []
    for user in users:
        try:
            with transaction.atomic():
                notice = Notification.objects.create(
                    user=user, kind=kind, key=key, title=title, body=body, url=url
                )
        except IntegrityError:
            continue
        if user.email:
            link = f"{settings.KEYPROJECTS_SITE_URL}{url}" if url else ""
            send_mail(title, f"{body}\n\n{link}".strip(), None, [user.email], fail_silently=True)
            Notification.objects.filter(pk=notice.pk).update(emailed=True)
        sent.append(notice)
    return sent


def mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
