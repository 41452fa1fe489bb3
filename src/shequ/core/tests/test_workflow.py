"""The workflow rule table (core/workflow.py): the order of refusals (role, state, guards), guards
answering with the error type of their status, grants that stand in for the role, and a versioned
API body whose version is read like any other input."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, make_user
from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound
from shequ.core.roles import Role
from shequ.core.workflow import Action, Field, Grant, Guard, Workflow, version_of

pytestmark = pytest.mark.django_db

STATE = {"now": "open"}


def frozen(area: Any) -> str:
    return f"{area.name} is frozen"


TABLE = Workflow(
    "area",
    [
        Action(
            "rename",
            "Rename",
            permission="update",
            sources=("open",),
            target="renamed",
            fields=(Field("name", "Name", required=True, max_length=10),),
            guards=(
                Guard("not_frozen", lambda u, a: a.name != "冻结", frozen, "frozen", 409),
                Guard("not_banned", lambda u, a: u.username != "banned", "Not you.", "banned", 403),
                Guard("not_odd", lambda u, a: a.name != "奇数", "Not now.", "odd", 400),
            ),
            grants=(Grant("keeper", lambda u, a: u.username == "keeper"),),
            button="Save the name",
        ),
        Action("note", "Note", permission="view"),
    ],
    state_of=lambda a: STATE["now"],
)


@pytest.fixture(autouse=True)
def _open() -> None:
    STATE["now"] = "open"


def test_the_role_is_refused_first_outside_as_not_found_inside_as_forbidden(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, "staff")
    head = make_user(Role.BUILDING_HEAD, tree.building, "head")
    STATE["now"] = "closed"  # the state is not even looked at before the role
    with pytest.raises(NotFound):
        TABLE.check(staff, tree.far_building, "rename")
    with pytest.raises(Forbidden):
        TABLE.check(head, tree.building, "rename")
    with pytest.raises(DomainError) as exc:
        TABLE.check(staff, tree.building, "rename")
    assert exc.value.code == "illegal_transition"
    STATE["now"] = "open"
    assert TABLE.check(staff, tree.building, "rename").name == "rename"
    assert TABLE.next_state(tree.building, "rename") == "renamed"
    assert TABLE.next_state(tree.building, "note") == "open"
    with pytest.raises(NotFound):
        TABLE.action("explode")


def test_guards_answer_with_the_error_type_of_their_status(tree: Tree) -> None:
    staff = make_user(Role.COMMUNITY_STAFF, tree.community, "banned")
    tree.building.name = "冻结"
    with pytest.raises(Conflict) as conflict:
        TABLE.check(staff, tree.building, "rename")
    assert (conflict.value.code, conflict.value.status) == ("frozen", 409)
    assert str(conflict.value.message) == "冻结 is frozen"  # a callable message names the object
    tree.building.name = "楼"
    with pytest.raises(Forbidden) as forbidden:
        TABLE.check(staff, tree.building, "rename")
    assert forbidden.value.code == "banned"
    assert TABLE.available(staff, tree.building) == [TABLE.action("note")]
    assert TABLE.check(None, tree.building, "rename")  # the system passes role and guards


def test_a_grant_stands_in_for_the_role_but_not_for_the_guards(tree: Tree) -> None:
    keeper = make_user(Role.RESIDENT, tree.building, "keeper")
    assert TABLE.permitted(keeper, tree.building, TABLE.action("rename"))
    assert TABLE.check(keeper, tree.building, "rename")
    tree.building.name = "奇数"
    with pytest.raises(DomainError) as exc:
        TABLE.check(keeper, tree.building, "rename")
    assert (exc.value.code, exc.value.status) == ("odd", 400)
    assert TABLE.action("rename").button_label == "Save the name"
    assert TABLE.action("note").button_label == "Note"


@pytest.mark.parametrize(
    ("body", "code"),
    [({"version": "abc"}, "not_a_number"), ({"version": ""}, "version_required"), ({}, "version_required")],
)
def test_a_version_that_is_not_a_number_is_refused_naming_it(body: dict, code: str) -> None:
    with pytest.raises(DomainError) as exc:
        version_of(body)
    assert (exc.value.code, exc.value.status, exc.value.field) == (code, 400, "version")


def test_a_versioned_schema_carries_the_version_beside_the_fields() -> None:
    schema: Any = TABLE.input_schema("rename", versioned=True)
    assert set(schema.model_fields) == {"version", "name"}
    assert schema(version="abc", name="x").version == "abc"  # read later by version_of, as a 400
    assert set(TABLE.input_schema("rename").model_fields) == {"name"}
