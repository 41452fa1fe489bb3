"""What every kind of import is made of: its columns, the kind's description, and the checks the kinds
share. The machinery that stages and commits is registry/importing.py; the kinds other than residents
are registry/import_kinds.py. Both build on this module, so neither imports the other's caller."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from shequ.core import access
from shequ.core.models import Area, ImportJob, ImportRow, subtree_q

Problems = list[tuple[str, str]]  # [(header, message)]


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class ImportKind:
    """What one kind of import needs beyond the shared machinery."""

    name: str  # ImportJob.kind and the URL segment: "residents"
    resource: str  # the policy resource whose "import" action allows it
    title: str  # the sheet name of the template and of the rows handed back, in Chinese
    columns: list[Column]
    example: list[str]
    # What rows are checked against, read once per file: (import area, user) -> lookups.
    lookups: Callable[[Area, Any], Any]
    # One row's cells -> (validated values, problems).
    parse: Callable[[dict[str, str], Any, date], tuple[dict[str, Any], Problems]]
    key_of: Callable[[dict[str, Any]], str]  # the natural key of parsed values; "" when there is none
    key_header: Callable[[str], str]  # the column a repeated key is reported on
    same_as_row: Any  # "... as row %(n)d of this file."
    # Which of these keys (with their rows' values) are already in the registry, near the import's area.
    existing: Callable[[ImportJob, list[str], list[dict[str, Any]]], set[str]]
    write: Callable[[list[ImportRow], Any], int]  # write clean rows, return how many were created
    conflict: Any  # why a commit failed on a constraint: someone changed the same records meanwhile
    # Residents: a person already registered is an error in the file. Other kinds: a row already in
    # the registry is skipped at commit, so importing the same file twice doubles nothing.
    existing_problem: Any = None
    existing_reads_values: bool = True
    # Of the keys already there, those whose record equals the row (the same person, name and building):
    # a re-upload of a file partly imported before skips them instead of reporting them as errors.
    same_record: Callable[[ImportJob, list[str], list[dict[str, Any]]], set[str]] | None = None

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def natural_key(*parts: object) -> str:
    """A fixed-length key for ImportRow.key from the parts that name one record."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


# --- shared checks for the kinds -----------------------------------------------------------------


# What a cell holds when its formula failed: it was never typed by anyone and is no one's name.
EXCEL_ERRORS = frozenset(
    {"#VALUE!", "#REF!", "#N/A", "#NAME?", "#DIV/0!", "#NULL!", "#NUM!", "#SPILL!", "#CALC!", "#GETTING_DATA"}
)
# The column that the rows handed back (bad_rows_xlsx) carry: a re-upload of that file ignores it.
HANDED_BACK = "错误说明"


def looks_like_formula(value: str) -> bool:
    """A cell that a spreadsheet would run as a formula if the value were written out again (=, @, or
    + / - before something that is not a number): such text is never a name or an address. "+86 138…"
    and "-5" stay numbers."""
    v = value.lstrip()
    if not v:
        return False
    if v[0] in "=@":
        return True
    return v[0] in "+-" and len(v) > 1 and not v[1:].lstrip()[:1].isdigit()


def cell_problems(row: dict[str, str], columns: list[Column]) -> Problems:
    """Every kind's cells: no formula error values, nothing that would run as a formula."""
    problems: Problems = []
    for c in columns:
        value = row.get(c.header, "")
        if value.strip().upper() in EXCEL_ERRORS:
            problems.append(
                (
                    c.header,
                    _("The cell holds a failed formula (%(v)s): type the value itself.") % {"v": value},
                )
            )
        elif looks_like_formula(value):
            problems.append(
                (c.header, _("Starts with =, +, - or @ like a formula: remove the sign at the start."))
            )
    return problems


def required_problems(row: dict[str, str], columns: list[Column]) -> Problems:
    problems = [
        (c.header, _("This cell is required.")) for c in columns if c.required and not row.get(c.header)
    ]
    problems += cell_problems(row, columns)
    if row.get("__extra__"):
        problems.append(("", _("Values found beyond the last column: %(v)s") % {"v": row["__extra__"][:50]}))
    return problems


def choose(
    row: dict[str, str], header: str, table: dict[str, Any], problems: Problems, out: dict[str, Any], key: str
) -> None:
    """Put table[cell] into out[key], or report that the cell is not one of the table's words."""
    value = row.get(header, "")
    if value not in table:
        problems.append((header, _("Not one of: %(v)s") % {"v": "、".join(k for k in table if k)}))
    else:
        out[key] = table[value]


def too_long(row: dict[str, str], header: str, limit: int, problems: Problems) -> str:
    value = row.get(header, "")
    if len(value) > limit:
        problems.append((header, _("At most %(n)d characters.") % {"n": limit}))
    return value[:limit]


def places(
    area: Area, user: Any, resource: str, action: str, kind: str
) -> dict[tuple[str, str], Area | None]:
    """(parent name, name) -> area of `kind` within the import's area, where the user may do `action`
    on `resource`. A name pair that occurs twice maps to None (ambiguous)."""
    out: dict[tuple[str, str], Area | None] = {}
    qs = Area.objects.filter(subtree_q(area.path), kind=kind)
    if user is not None:
        qs = qs.filter(access.path_q("path", access.paths_for(user, resource, action)))
    for place in qs.select_related("parent"):
        key = (place.parent.name if place.parent else "", place.name)
        out[key] = None if key in out else place
    return out


def pick_building(
    row: dict[str, str], buildings: dict[tuple[str, str], Area | None], problems: Problems
) -> Area | None:
    if not (row.get("网格") and row.get("楼栋")):
        return None
    key = (row["网格"], row["楼栋"])
    if key not in buildings:
        if not any(grid == row["网格"] for grid, _b in buildings):
            problems.append(("网格", _("No grid of this name within your areas.")))
        else:
            problems.append(("楼栋", _("No building of this name in this grid within your areas.")))
        return None
    if buildings[key] is None:
        problems.append(("楼栋", _("Two buildings have this name in this grid; rename one first.")))
    return buildings[key]


YES_NO = {"": False, "否": False, "是": True}
