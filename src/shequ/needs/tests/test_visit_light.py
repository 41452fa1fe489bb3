"""A home visit in a few taps (issue 16): the list keeps its filter and moves to the next person after
each save, a need is one line, and a visit sent twice with its key (a phone's offline queue
replaying it, a double tap) is saved once and answered the same, on the page and the API."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from conftest import login_client, token_client
from shequ.needs import services
from shequ.needs.models import Need, Visit
from shequ.needs.tests.conftest import People
from shequ.registry.models import Resident

pytestmark = pytest.mark.django_db


def _post(client: Any, elder: Resident, key: str, query: str = "", **extra: Any) -> Any:
    return client.post(
        f"/visits/new/{query}",
        {
            "resident": elder.pk,
            "visited_on": date.today().isoformat(),
            "purpose": "care",
            "need_0_description": "希望有人陪同看病",
            "key": key,
            **extra,
        },
    )


def test_the_same_key_twice_saves_one_visit_on_the_page(people: People, elder: Resident) -> None:
    client = login_client(people.grid_worker)
    key = str(uuid.uuid4())
    first = _post(client, elder, key)
    again = _post(client, elder, key)
    assert again.status_code == first.status_code == 302
    assert Visit.objects.filter(client_key=key).count() == 1
    assert Need.objects.count() == 1


def test_a_need_typed_as_one_line_is_raised_as_other(people: People, elder: Resident) -> None:
    _post(login_client(people.grid_worker), elder, str(uuid.uuid4()))
    assert Need.objects.get().category == "other"


def test_the_same_key_twice_answers_the_same_visit_on_the_api(people: People, elder: Resident) -> None:
    client = token_client(people.grid_worker)
    body = {"resident_id": elder.pk, "purpose": "care", "key": str(uuid.uuid4())}
    first = client.post("/api/visits", body, content_type="application/json")
    again = client.post("/api/visits", body, content_type="application/json")
    assert again.status_code == first.status_code == 201
    assert again.json() == first.json()
    assert Visit.objects.count() == 1


def test_another_workers_key_is_theirs_alone(people: People, elder: Resident) -> None:
    key = uuid.uuid4()
    services.visit_log(by=people.grid_worker, resident=elder, key=key)
    services.visit_log(by=people.staff, resident=elder, key=key)
    assert Visit.objects.count() == 2


def test_after_a_save_the_form_of_the_next_person_in_the_same_filter_opens(
    people: People, elder: Resident, tree: Any, resident_factory: Any
) -> None:
    neighbour = resident_factory(tree.building, name="黄伯伯", born=date(1941, 1, 2), gender="M")
    client = login_client(people.grid_worker)
    r = _post(client, elder, str(uuid.uuid4()), query="?q=黄")
    assert r.status_code == 302
    assert r["Location"] == f"/visits/new/?resident={neighbour.pk}&q=%E9%BB%84"


def test_when_everyone_in_the_filter_is_visited_the_list_comes_back_with_its_filter(
    people: People, elder: Resident
) -> None:
    r = _post(login_client(people.grid_worker), elder, str(uuid.uuid4()), query="?q=黄婆")
    assert r["Location"] == "/visits/new/?q=%E9%BB%84%E5%A9%86"


def test_the_service_worker_is_served_from_the_visits_with_its_words() -> None:
    from django.test import Client

    r = Client().get("/visits/sw.js")
    assert r["Content-Type"].startswith("text/javascript")
    assert '"title": "已保存在本机"' in r.content.decode()  # in the reader's language (Chinese first)
