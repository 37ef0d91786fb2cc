from django.http import Http404, HttpRequest, HttpResponse


def ledger_export(request: HttpRequest) -> HttpResponse:
    raise Http404


def ledger_import(request: HttpRequest) -> HttpResponse:
    raise Http404


def ledger_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404
