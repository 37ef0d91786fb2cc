from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Job


@login_required
def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = get_object_or_404(Job, pk=pk, user_id=request.user.pk)
    template = "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/detail.html"
    return render(request, template, {"job": job})
