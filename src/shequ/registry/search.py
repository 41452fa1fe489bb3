"""Searches that never put an ID number or phone in a URL (issue 9, "no leaks").

The residents' search form is sent by POST. A query that holds a whole number (an ID number, a phone,
another document's number) is kept in the user's session under a short random token, and the page,
its pagination and its export link carry `?s=<token>` instead; a name, pinyin or the last four
characters of an ID stay in the URL, so such a search can still be bookmarked.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import DomainError

SESSION_KEY = "resident_searches"
TOKEN_SECONDS = 60 * 60  # a search's token lives an hour (the session itself ends sooner when idle)
MAX_TOKENS = 20
FILTERS = ("area", "q", "group", "age", "status")

# Five digits in a row, or a document number of letters and digits: never in a URL.
_NUMBER = re.compile(r"\d{5,}")
_DOCUMENT = re.compile(r"(?=.*\d)[A-Za-z0-9]{5,20}")


def holds_number(q: str) -> bool:
    q = (q or "").strip()
    return bool(_NUMBER.search(q) or _DOCUMENT.fullmatch(q))


def refuse_number(q: str) -> None:
    """For the searches that take no number (households, organisations, volunteers: addresses, names,
    skills), whose queries travel in the URL: a whole number is refused, not carried into access logs,
    browser history and Referer headers (issue 13). The residents' search tokenises it instead."""
    if holds_number(q):
        raise DomainError(
            _(
                "A whole ID number, phone or document number cannot be searched here: it must not travel "
                "in a URL. Search residents by number on the residents' page."
            ),
            code="number_in_url",
            fields={"q": "number"},
        )


def stash(request: HttpRequest, q: str) -> str:
    """Keep `q` in the session; the token that stands for it in URLs."""
    now = time.time()
    kept = {
        t: v
        for t, v in dict(request.session.get(SESSION_KEY, {})).items()
        if isinstance(v, list) and len(v) == 2 and v[1] > now
    }
    for old in sorted(kept, key=lambda t: kept[t][1])[: max(0, len(kept) - MAX_TOKENS + 1)]:
        del kept[old]
    token = secrets.token_urlsafe(6)
    kept[token] = [q, now + TOKEN_SECONDS]
    request.session[SESSION_KEY] = kept
    return token


def unstash(request: HttpRequest, token: str) -> str | None:
    """The query a token stands for, or None when it is unknown or expired."""
    value = dict(request.session.get(SESSION_KEY, {})).get(token)
    if not isinstance(value, list) or len(value) != 2 or value[1] <= time.time():
        return None
    return str(value[0])


def filters_of(request: HttpRequest, data: QueryDict) -> tuple[dict[str, str], bool]:
    """The filters of a request (the token resolved); and whether a token had expired."""
    out = {k: data.get(k, "") for k in FILTERS}
    expired = False
    token = data.get("s", "")
    if token:
        q = unstash(request, token)
        expired = q is None
        out["q"] = q or ""
    return out, expired


def safe_query(request: HttpRequest, filters: dict[str, str], token: str = "") -> str:  # nosec B107 # a search token, not a password
    """The filters as a query string for links: a number replaced by a session token (the request's
    own token when it came with one)."""
    params = QueryDict(mutable=True)
    for k in FILTERS:
        value = filters.get(k, "")
        if not value:
            continue
        if k == "q" and holds_number(value):
            params["s"] = token if token and unstash(request, token) == value else stash(request, value)
        else:
            params[k] = value
    return params.urlencode()


def redacted(filters: dict[str, Any]) -> str:
    """The filters for the audit log: a number searched for is recorded as "***"."""
    params = QueryDict(mutable=True)
    for k in FILTERS:
        value = str(filters.get(k) or "")
        if value:
            params[k] = "***" if k == "q" and holds_number(value) else value
    return params.urlencode()
