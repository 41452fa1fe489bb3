"""The one error type users see: a stable code, a translated message and an HTTP status."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the user can understand. Views and the API turn it into a 4xx, never a 500."""

    status = 400
    code = "invalid"

    def __init__(self, message: object = None, *, code: str | None = None, fields: dict | None = None):
        self.message = message if message is not None else self.default_message()
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def default_message(self) -> object:
        return _("The request could not be carried out.")

    @property
    def field(self) -> str | None:
        """The input the refusal is about, when it is about one (the first of `fields`)."""
        return next(iter(self.fields), None)

    def as_json(self) -> dict[str, object]:
        """The API's answer for every refusal: {code, message, field}."""
        return {"code": self.code, "message": str(self.message), "field": self.field}


class NotFound(DomainError):
    """Also used for objects outside the user's areas, so their existence does not leak."""

    status = 404
    code = "not_found"

    def default_message(self) -> object:
        return _("The record does not exist or lies outside your areas.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"

    def default_message(self) -> object:
        return _("Your role does not allow this action.")


class Conflict(DomainError):
    status = 409
    code = "conflict"

    def default_message(self) -> object:
        return _("Someone else changed this record first. Reload it and try again.")


class AuthenticationFailed(DomainError):
    status = 401
    code = "authentication_failed"

    def default_message(self) -> object:
        return _("Wrong user name or password.")
