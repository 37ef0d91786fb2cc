"""Describe a django-filter FilterSet's query parameters in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import django_filters


def _schema(filter_: django_filters.Filter) -> dict[str, Any]:
    if isinstance(filter_, django_filters.OrderingFilter | django_filters.MultipleChoiceFilter):
        values = [value for value, _label in filter_.extra["choices"]]
        return {"type": "array", "items": {"type": "string", "enum": values}}
    if isinstance(filter_, django_filters.ModelChoiceFilter | django_filters.NumberFilter):
        return {"type": "integer"}
    if filter_.field_class.__name__ == "IntegerField":
        return {"type": "integer"}
    return {"type": "string"}


def filterset_parameters(filterset_class: type[django_filters.FilterSet]) -> list[dict[str, Any]]:
    """One optional query parameter per filter, labelled and typed from the filter."""
    parameters = []
    for name, filter_ in filterset_class.base_filters.items():
        schema = _schema(filter_)
        description = filter_.extra.get("help_text") or filter_.label or name
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": False,
            "schema": schema,
            "description": description,
        }
        if schema["type"] == "array":
            # Sorting takes one comma-separated value; other lists repeat the parameter.
            csv = isinstance(filter_, django_filters.OrderingFilter)
            parameter.update(style="form", explode=not csv)
        parameters.append(parameter)
    return parameters
