"""The acting request's address and agent, for the audit log, without passing requests around."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""


NO_REQUEST = RequestInfo()
current_request: ContextVar[RequestInfo | None] = ContextVar("shequ_request", default=None)
