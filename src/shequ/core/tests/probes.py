"""The one probe builder of the permission matrix: what every app's `tests/matrix_probes.py` and
core/tests/test_permission_matrix.py make their probes with. A probe takes the case (the tree, the
acting user, the side) and a logged-in client, tries one action, and answers (allowed?, the target's
area path); the matrix compares that with what core/policy.py declares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.test import Client

from conftest import Tree
from shequ.core.models import Area, User

Probe = Callable[[Any, Client], "tuple[bool, str]"]
Pair = tuple[Probe, Probe]  # (page probe, api probe)


@dataclass
class Case:
    """One cell of the matrix: the tree, who acts, and on which side of their area the target lies."""

    tree: Tree
    user: User
    side: str
    resident_factory: Any

    @property
    def building(self) -> Area:
        return self.tree.building if self.side == "inside" else self.tree.far_building

    @property
    def grid(self) -> Area:
        return self.tree.grid if self.side == "inside" else self.tree.far_grid

    @property
    def community(self) -> Area:
        return self.tree.community if self.side == "inside" else self.tree.far_community


def refused(response: Any) -> bool:
    assert response.status_code in (403, 404), f"a refusal must be 403/404, got {response.status_code}"
    return False


def outcome(ok: bool, response: Any, success_status: int) -> bool:
    if ok:
        assert response.status_code == success_status, response.content[:300]
        return True
    return refused(response)


def building(c: Any) -> Area:
    return c.building


def community(c: Any) -> Area:
    return c.tree.community if c.side == "inside" else c.tree.far_community


def grid(c: Any) -> Area:
    return c.tree.grid if c.side == "inside" else c.tree.far_grid


def listed(
    make: Callable[[Any], Any],
    *,
    page: str,
    api: str,
    query: str | Callable[[Any], str] | None = None,
    where: Callable[[Any], Area] = building,
    page_extra: dict[str, str] | None = None,
    page_marker: Callable[[Any, Any], str] | None = None,
    api_match: Callable[[dict[str, Any], Any, Any], bool] | None = None,
    open_page: bool = False,
    api_may_refuse: bool = False,
) -> Pair:
    """A list through the page and the API: `make(c)` makes the target; it counts as seen when the
    page links to it (`href="<page><pk>/"`, or holds `page_marker(c, obj)`) and an API item has its id
    (or `api_match(item, c, obj)`); `query` (or `query(c)`) goes to both as `q`. An API list answers
    200 to everyone (an empty list is the refusal); so does the page when `open_page`, otherwise the
    page may refuse with 403/404 (and the API too when `api_may_refuse`)."""

    def params(c: Any) -> dict[str, str]:
        q = query(c) if callable(query) else query
        return {"q": q} if q else {}

    def page_probe(c: Any, client: Client) -> tuple[bool, str]:
        obj = make(c)
        r = client.get(page, {**(page_extra or {}), **params(c)})
        if open_page:
            assert r.status_code == 200
        elif r.status_code != 200:
            return refused(r), where(c).path
        marker = page_marker(c, obj) if page_marker else f'href="{page}{obj.pk}/"'
        return marker in r.content.decode(), where(c).path

    def api_probe(c: Any, client: Client) -> tuple[bool, str]:
        obj = make(c)
        r = client.get(api, params(c))
        if api_may_refuse and r.status_code != 200:
            return refused(r), where(c).path
        assert r.status_code == 200
        items = r.json()["items"]
        if api_match is not None:
            return any(api_match(i, c, obj) for i in items), where(c).path
        return any(i["id"] == obj.pk for i in items), where(c).path

    return page_probe, api_probe


def shown(
    make: Callable[[Any], Any], *, page: str, api: str, where: Callable[[Any], Area] = building
) -> Pair:
    """One object's page and API read (`{pk}` in the addresses): allowed when it answers 200."""

    def probe(url: str) -> Probe:
        def read(c: Any, client: Client) -> tuple[bool, str]:
            r = client.get(url.format(pk=make(c).pk))
            return (r.status_code == 200 or refused(r)), where(c).path

        return read

    return probe(page), probe(api)


def both(probe: Callable[..., tuple[bool, str]]) -> Pair:
    """The page and API probes of one `probe(c, client, *, api)` that does both."""
    return (lambda c, client: probe(c, client, api=False), lambda c, client: probe(c, client, api=True))


def posted(
    c: Any,
    client: Client,
    *,
    api: bool,
    page_url: str,
    api_url: str,
    body: dict[str, Any],
    done: Callable[[], bool],
    where: Callable[[Any], Area] = building,
    api_status: int = 200,
) -> tuple[bool, str]:
    """Post one action by the page (a form, 302 when done) or the API (JSON, `api_status` when done)."""
    r = client.post(api_url, body, content_type="application/json") if api else client.post(page_url, body)
    return outcome(done(), r, api_status if api else 302), where(c).path
