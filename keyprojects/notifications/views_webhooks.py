"""The programme office's webhooks: addresses (chat robots) that receive notices."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.projects.permissions import programme_office_required
from keyprojects.web.widgets import bootstrap

from . import webhooks
from .choices import EventStatus
from .forms import WebhookForm
from .models import Webhook, WebhookDelivery, WebhookEvent, new_secret


def _hook(request: HttpRequest, pk: int) -> Webhook:
    return get_object_or_404(
        Webhook.objects.visible_to(request.user).select_related("jurisdiction", "unit"), pk=pk
    )


@programme_office_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - dt.timedelta(days=7)
    hooks = (
        Webhook.objects.visible_to(request.user)
        .select_related("jurisdiction", "unit")
        .annotate(
            pending=Count("events", filter=Q(events__status=EventStatus.PENDING)),
            failed=Count(
                "events",
                filter=Q(events__status=EventStatus.FAILED, events__created_at__gte=since),
            ),
            delivered=Count(
                "events",
                filter=Q(events__status=EventStatus.DELIVERED, events__created_at__gte=since),
            ),
        )
    )
    return render(request, "notifications/webhooks.html", {"nav": "webhooks", "hooks": hooks})


@programme_office_required
@require_http_methods(["GET", "POST"])
def webhook_add(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None, user=request.user)
    bootstrap(form)
    if request.method == "POST" and form.is_valid():
        hook = form.save(commit=False)
        hook.created_by = request.user  # type: ignore[assignment]
        hook.save()
        messages.success(
            request,
            _("The webhook is saved. Give its receiver the secret below, then send a test."),
        )
        return redirect("notifications:webhook", pk=hook.pk)
    return render(
        request,
        "notifications/webhook_form.html",
        {"nav": "webhooks", "form": form},
        status=422 if form.errors else 200,
    )


@programme_office_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    hook = _hook(request, pk)
    form = WebhookForm(request.POST or None, instance=hook, user=request.user)
    bootstrap(form)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The webhook is saved."))
        return redirect("notifications:webhook", pk=hook.pk)
    return render(
        request,
        "notifications/webhook_form.html",
        {"nav": "webhooks", "form": form, "hook": hook},
        status=422 if form.errors else 200,
    )


@programme_office_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    hook = _hook(request, pk)
    events = WebhookEvent.objects.filter(webhook=hook).prefetch_related(
        Prefetch("deliveries", queryset=WebhookDelivery.objects.order_by("attempt"))
    )
    status = request.GET.get("status")
    if status in EventStatus.values:
        events = events.filter(status=status)
    page = Paginator(events, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/webhook_detail.html",
        {
            "nav": "webhooks",
            "hook": hook,
            "page": page,
            "status": status,
            "statuses": EventStatus.choices,
            "reveal": request.GET.get("reveal") == "1",
            "max_attempts": webhooks.max_attempts(),
        },
    )


@programme_office_required
@require_POST
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    hook = _hook(request, pk)
    webhooks.send_test(hook, user=request.user)
    messages.info(
        request, _("A test notice is on its way; its result appears in the log below shortly.")
    )
    return redirect("notifications:webhook", pk=hook.pk)


@programme_office_required
@require_POST
def webhook_secret(request: HttpRequest, pk: int) -> HttpResponse:
    hook = _hook(request, pk)
    hook.signing_secret, hook.secret_set_at = new_secret(), timezone.now()
    hook.save(update_fields=["signing_secret", "secret_set_at"])
    messages.warning(
        request,
        _("A new secret is made. Requests are signed with it from now on: update the receiver."),
    )
    return redirect(reverse("notifications:webhook", args=[hook.pk]) + "?reveal=1")


@programme_office_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    hook = _hook(request, pk)
    name = hook.name
    hook.delete()
    messages.success(request, _("The webhook %(name)s is deleted.") % {"name": name})
    return redirect("notifications:webhooks")


@programme_office_required
@require_POST
def event_retry(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(
        WebhookEvent.objects.filter(webhook__in=Webhook.objects.visible_to(request.user)), pk=pk
    )
    if event.status == EventStatus.DELIVERED:
        messages.error(request, _("This notice was delivered already; it is not sent again."))
    else:
        webhooks.send_again(event)
        messages.info(request, _("The notice is on its way again."))
    return redirect("notifications:webhook", pk=event.webhook_id)
