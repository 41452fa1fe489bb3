"""The API under /api/: one NinjaAPI, session auth for the browser, bearer tokens for other clients."""

import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string, module_has_submodule
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from shequ.core.appconfig import shequ_apps
from shequ.core.errors import DomainError
from shequ.core.middleware import DATABASE_DOWN_CODE, database_down_message
from shequ.core.services import token_for

logger = logging.getLogger("shequ")


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        record = token_for(token)
        if record is None:
            return None
        request.user = record.user
        request.auth_via = "token"  # type: ignore[attr-defined]
        request.api_token = record  # type: ignore[attr-defined]  # what DELETE /auth/token and refresh end
        return record.user


class ActiveSession(SessionAuth):
    def __call__(self, request: HttpRequest) -> Any:
        # A request carrying a bearer token is a token client: the token answers for it, and it needs no
        # CSRF cookie (a cross-site form cannot set an Authorization header). Without this the session's
        # CSRF check refused every token client's write before the token was even looked at.
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


# The answers every operation may give besides its own: the {code, message} of a DomainError and the
# rest. Documented on every operation so that clients generated from the schema know them.
ERROR_RESPONSES = {
    "400": "Bad request",
    "401": "Not signed in",
    "403": "Not allowed",
    "404": "Not found, or outside the caller's areas",
    "409": "Conflict (a stale version or a duplicate)",
    "413": "The request body is too large",
    "415": "The request body is not JSON",
    "422": "Invalid input",
    "503": "The database is out of reach",
}


class ShequAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = {
            "title": "Error",
            "type": "object",
            "properties": {
                "code": {"title": "Code", "type": "string"},
                "message": {"title": "Message", "type": "string"},
                "field": {"title": "Field", "anyOf": [{"type": "string"}, {"type": "null"}]},
            },
            "required": ["code", "message"],
        }
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": error})
        return schema


api = ShequAPI(
    title="Shequ API",
    version="1",
    description="社区 Shequ — every endpoint answers only within the caller's areas.",
    auth=[ActiveSession(), BearerToken()],
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_json(), status=exc.status)


@api.exception_handler(AuthenticationError)
def not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "not_authenticated", "message": _("Please sign in first."), "field": None},
        status=401,
    )


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "code": "invalid_input",
            "message": _("Some fields are missing or invalid."),
            "field": _first_field(exc.errors),
            "detail": exc.errors,
        },
        status=422,
    )


def _first_field(errors: list[dict[str, Any]]) -> str | None:
    """The name of the first input pydantic refused: its location without the "body"/"query" part."""
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "form")]
        if loc:
            return ".".join(loc[1:] if len(loc) > 1 and loc[0] == "data" else loc)
    return None


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals (a body that is not JSON, …) in the documented {code, message} form."""
    if exc.status_code == 400 and "parse request body" in str(exc):
        body = {"code": "invalid_json", "message": _("The request body is not valid JSON."), "field": None}
    else:
        body = {"code": f"http_{exc.status_code}", "message": str(exc), "field": None}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_down(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("database unavailable: %s", exc)
    return api.create_response(
        request, {"code": DATABASE_DOWN_CODE, "message": database_down_message(), "field": None}, status=503
    )


# Each Shequ app's api.py `router`, found by name: adding an app needs no edit here.
for _config in shequ_apps():
    if module_has_submodule(_config.module, "api"):
        api.add_router("/", import_string(f"{_config.name}.api.router"))
