from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .choices import Channel
from .context import acting


class AuditContextMiddleware:
    """Attribute changes made while serving a page to the signed-in person."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user if request.user.is_authenticated else None
        channel = Channel.API if request.path.startswith("/api/") else Channel.WEB
        with acting(actor=user, channel=channel):
            return self.get_response(request)
