from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.web.widgets import bootstrap

from .forms import PreferenceForm
from .models import Digest, Notification
from .services import mark_read, preference_of, preferences_update


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    notices = Notification.objects.filter(user_id=user.pk)
    unread_only = request.GET.get("show") == "unread"
    if unread_only:
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"nav": "inbox", "page": page, "unread_only": unread_only},
    )


@login_required
@require_POST
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notification, pk=pk, user_id=request.user.pk)
    mark_read(user=request.user, ids=[notice.pk])
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
        return redirect(notice.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    mark_read(user=request.user)
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Which kinds of notice a person hears about, and how."""
    user: Any = request.user
    pref = preference_of(user)
    seen = set(
        Notification.objects.filter(user_id=user.pk).values_list("kind", flat=True).distinct()
    )
    codes = sorted(seen | set(pref.muted_kinds or []))
    initial = {
        "email_enabled": pref.email_enabled,
        "digest_enabled": pref.digest_enabled,
        "digest_hour": pref.digest_hour,
        "digest_tasks": pref.digest_tasks,
        "muted_kinds": list(pref.muted_kinds or []),
    }
    form = PreferenceForm(request.POST or None, initial=initial, codes=codes)
    bootstrap(form)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                preferences_update(user=user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notifications:settings")
        status = 422
    last_digest = Digest.objects.filter(user_id=user.pk, emailed=True).first()
    return render(
        request,
        "notifications/settings.html",
        {
            "nav": "inbox",
            "form": form,
            "muted": set(form["muted_kinds"].value() or []),
            "last_digest": last_digest,
        },
        status=status,
    )
