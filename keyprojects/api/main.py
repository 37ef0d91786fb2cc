"""The JSON API: one NinjaAPI, authenticated by bearer token or browser session."""

from __future__ import annotations

from importlib import import_module

from ninja import NinjaAPI, Swagger

from . import errors, projects, units
from .auth import SessionAuth, TokenAuth, act_as_caller

api = NinjaAPI(
    title="Key projects API",
    version="1",
    description=(
        "The ledger of key construction projects. Authenticate with "
        "`Authorization: Bearer <key>` or a signed-in browser session. "
        "Amounts are yuan as decimal strings; dates are ISO 8601."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    # Served from ninja's own static files: no CDN is reachable where this runs.
    docs=Swagger(settings={"persistAuthorization": True, "validatorUrl": None}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_decorator(act_as_caller)
api.add_router("", units.router)
api.add_router("", projects.router)

# Each capability keeps its operations beside its models, in `<app>/api.py`.
for _app in ("supervision", "problems", "meetings", "inspections", "alerts", "assessment",
             "bulletins", "cockpit"):  # fmt: skip
    _name = f"keyprojects.{_app}.api"
    try:
        _module = import_module(_name)
    except ModuleNotFoundError as missing:
        if missing.name != _name:
            raise
        continue
    api.add_router("", _module.router)
