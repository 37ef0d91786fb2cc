"""Sending notices, and the settings each person keeps for them.

`notify()` is the one way in: every capability calls it, and it decides per person and kind
what goes where (inbox, email, the chat robots' webhooks), honouring what each person muted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification, NotificationPreference

log = logging.getLogger(__name__)

KIND_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def preferences_for(users: Iterable[Any]) -> dict[int, NotificationPreference]:
    """Each person's settings, the defaults (unsaved) for those who never changed them."""
    ids = [u.pk for u in users]
    found = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=ids)}
    return {pk: found.get(pk) or NotificationPreference(user_id=pk) for pk in ids}


def preference_of(user: Any) -> NotificationPreference:
    return preferences_for([user])[user.pk]


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{settings.KEYPROJECTS_SITE_URL.rstrip('/')}{url}"


def notify(
    users: Iterable[Any], *, kind: str, key: str, title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """Send a notice once per person, kind and key: in the inbox, by email where the person
    has an address and wants it, and to the webhooks that take it. A repeated call (a job run
    twice) sends nothing more. Returns the notices made now."""
    people = _distinct(users)
    if not people:
        return []
    prefs = preferences_for(people)
    now = timezone.now()
    already = set(
        Notification.objects.filter(
            kind=kind, key=key, user_id__in=[u.pk for u in people]
        ).values_list("user_id", flat=True)
    )
    fresh = []
    for user in people:
        if user.pk in already:
            continue
        muted = prefs[user.pk].is_muted(kind)
        fresh.append(
            Notification(
                user=user,
                kind=kind,
                key=key,
                title=title[:200],
                body=body,
                url=url[:300],
                muted=muted,
                read_at=now if muted else None,
            )
        )
    created = _create(fresh)
    if not created:
        return []
    _email(created, prefs)
    _to_webhooks(created, kind=kind, key=key, title=title, body=body, url=url)
    return created


def _distinct(users: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    people = []
    for user in users:
        pk = getattr(user, "pk", None)
        if pk is None or pk in seen or not getattr(user, "is_active", True):
            continue
        seen.add(pk)
        people.append(user)
    return people


def _create(fresh: list[Notification]) -> list[Notification]:
    if not fresh:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(fresh)
    except IntegrityError:
        pass  # the same notice was sent at the same moment by another process: one by one
    created = []
    for notice in fresh:
        notice.pk = None
        notice._state.adding = True
        try:
            with transaction.atomic():
                notice.save()
        except IntegrityError:
            continue
        created.append(notice)
    return created


def _email(notices: list[Notification], prefs: dict[int, NotificationPreference]) -> None:
    wanted = [n for n in notices if not n.muted and prefs[n.user_id].email_enabled and n.user.email]
    if not wanted:
        return
    settings_link = absolute(reverse("notifications:settings"))
    connection = get_connection(fail_silently=True)
    emailed = []
    for notice in wanted:
        lines = [notice.body, absolute(notice.url)]
        footer = _("Which notices you receive: %(link)s") % {"link": settings_link}
        text = "\n\n".join(part for part in [*lines, f"--\n{footer}"] if part)
        message = EmailMessage(notice.title, text, None, [notice.user.email], connection=connection)
        if message.send(fail_silently=True):
            emailed.append(notice.pk)
    if emailed:
        Notification.objects.filter(pk__in=emailed).update(emailed=True)


def _to_webhooks(
    notices: list[Notification], *, kind: str, key: str, title: str, body: str, url: str
) -> None:
    from .webhooks import queue_events

    try:
        with transaction.atomic():
            queue_events(
                kind=kind, key=key, title=title, body=body, url=url,
                recipients=[(n.user, n.muted) for n in notices],
            )  # fmt: skip
    except Exception:
        # A webhook that cannot be queued must not stop the notice itself.
        log.exception("could not queue webhooks for %s %s", kind, key)


def mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def preferences_update(
    *,
    user: Any,
    email_enabled: bool,
    digest_enabled: bool,
    digest_hour: int,
    digest_tasks: bool,
    muted_kinds: Iterable[str],
) -> NotificationPreference:
    """Save a person's settings. Unread notices of a kind muted now are marked muted and read,
    so the count of unread matches what they asked to hear."""
    muted = sorted(set(muted_kinds))
    bad = [code for code in muted if not KIND_CODE.match(code)]
    if bad:
        raise ValidationError(
            _("Unknown kind of notice: %(codes)s.") % {"codes": ", ".join(bad[:5])}
        )
    if not isinstance(digest_hour, int) or not 0 <= digest_hour <= 23:
        raise ValidationError(_("The digest hour must be between 0 and 23."))
    with transaction.atomic():
        pref = NotificationPreference.objects.select_for_update().filter(
            user_id=user.pk
        ).first() or NotificationPreference(user_id=user.pk)
        newly_muted = set(muted) - set(pref.muted_kinds or [])
        pref.email_enabled = bool(email_enabled)
        pref.digest_enabled = bool(digest_enabled)
        pref.digest_hour = digest_hour
        pref.digest_tasks = bool(digest_tasks)
        pref.muted_kinds = muted
        pref.full_clean()
        pref.save()
        if newly_muted:
            Notification.objects.filter(
                user_id=user.pk, kind__in=newly_muted, read_at__isnull=True
            ).update(muted=True, read_at=timezone.now())
    return pref
