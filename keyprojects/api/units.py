"""Units (departments and companies) of the jurisdictions the caller can see."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from keyprojects.projects.filtersets import visible_units

from .auth import caller
from .errors import not_found
from .schemas import ErrorOut, UnitOut

router = Router(tags=["units"])


@router.get("/units/", response={200: list[UnitOut], 401: ErrorOut})
def list_units(request: HttpRequest) -> Any:
    return visible_units(caller(request)).select_related("jurisdiction")


@router.get("/units/{unit_id}/", response={200: UnitOut, 401: ErrorOut, 404: ErrorOut})
def get_unit(request: HttpRequest, unit_id: int) -> Any:
    unit = visible_units(caller(request)).select_related("jurisdiction").filter(pk=unit_id).first()
    if unit is None:
        raise not_found()
    return unit
