"""The OpenAPI schema names each body and answer once: two schemas of one name would make the
document describe one operation with another's fields (POST /api/appeals once documented the
reports' request body, both being called ReportIn)."""

from __future__ import annotations

import typing
from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from shequ.api import api


def _models_in(annotation: Any, seen: set[type]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, seen)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, seen)


def _schemas_by_name() -> dict[str, set[type]]:
    seen: set[type] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _models_in(model, seen)
                for response in (operation.response_models or {}).values():
                    _models_in(response, seen)
    by_name: dict[str, set[type]] = defaultdict(set)
    for model in seen:
        if model.__module__.startswith("shequ."):
            by_name[model.__name__].add(model)
    return by_name


def test_no_two_api_schemas_share_a_name() -> None:
    clashes = {
        name: sorted(f"{m.__module__}.{m.__qualname__}" for m in models)
        for name, models in _schemas_by_name().items()
        if len(models) > 1
    }
    assert clashes == {}


def test_the_check_finds_the_schemas_of_the_api() -> None:
    names = _schemas_by_name()
    assert len(names) > 50
    assert "AreaOut" in names
