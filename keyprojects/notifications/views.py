from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .models import Notification
from .services import mark_read


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notices = Notification.objects.filter(user=request.user)  # type: ignore[misc]
    page = Paginator(notices, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"nav": "inbox", "page": page})


@login_required
@require_POST
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notification, pk=pk, user_id=request.user.pk)
    mark_read(user=request.user, ids=[notice.pk])
    return redirect(notice.url or "notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    mark_read(user=request.user)
    return redirect("notifications:inbox")
