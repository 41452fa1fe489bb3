"""Exports are reads: residents, households and organisations as .xlsx, masked, each bulk export
behind its grant and audited."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.models import Area, AuditAction
from shequ.registry.models import (
    Household,
)

EXPORT_HEADERS = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号（脱敏）",
    "手机号（脱敏）",
    "网格",
    "楼栋",
    "地址",
    "与户主关系",
    "政治面貌",
    "特殊群体",
]


def _audit_export(*, by: Any, area_path: str, name: str, rows: int, filters: str, grant: Any) -> None:
    """Every export's audit entry: what, how many rows, with which filters, and the bulk grant used."""
    audit_log(
        action=AuditAction.EXPORT,
        actor=by,
        area_path=area_path,
        object_repr=f"{name} ({rows})",
        changes={"filters": filters[:200], "rows": rows}
        | ({"grant": grant.pk, "kind": grant.kind} if grant else {}),
    )


def bulk_export_check(*, by: Any, qs: Any, area_path: str, what: str) -> tuple[int, Any]:
    """(rows, grant): an export of more than SHEQU_BULK_EXPORT_ROWS rows of personal data is a bulk
    export and needs the user's approved bulk-export grant covering its area (or, exporting across
    all their areas, covering each of them); otherwise GrantRequired, which says where to ask."""
    from django.conf import settings

    from shequ.core import grants
    from shequ.core.models import GrantKind

    rows = qs.count()
    limit = settings.BULK_EXPORT_ROWS
    if rows <= limit:
        return rows, None
    paths = [area_path] if area_path else access.paths_for(by, what, "export")
    found = [grants.active_grant(by, GrantKind.BULK_EXPORT, path=p) for p in paths]
    if paths and all(found):
        return rows, found[0]
    area = Area.objects.filter(path=area_path).first() if area_path else None
    raise grants.GrantRequired(
        GrantKind.BULK_EXPORT,
        area,
        _(
            "This export holds %(rows)d rows: more than %(limit)d rows of personal data is a bulk export "
            "and needs a separate, approved grant. Narrow the search, or ask for a bulk-export grant."
        )
        % {"rows": rows, "limit": limit},
    )


def residents_export(*, by: Any, residents: Any, area_path: str, filters: str) -> bytes:
    """The list as the user sees it, masked like the screen, as .xlsx; formula-safe and audited.
    `residents` must already be scoped by the caller's selector. Children under 14 appear in the
    minimal form unless the user holds a grant for minors covering them; a bulk export needs a grant."""
    from shequ.core.tabular import write_xlsx
    from shequ.registry.models import SPECIAL_GROUPS
    from shequ.registry.selectors import audit_minors_listed, group_tags, shown_rows, with_group_tags

    qs = access.scope(by, "resident", "export", residents)
    _rows, bulk_grant = bulk_export_check(by=by, qs=qs, area_path=area_path, what="resident")
    labels = {k: str(v) for k, v in SPECIAL_GROUPS.items()}
    count = 0
    minors: list[dict[str, Any]] = []

    def rows() -> Any:
        nonlocal count
        # Each person's special groups in the same query (with_group_tags): reading them per person
        # was seven queries a row, most of an export's time (docs/performance.md).
        listed = with_group_tags(qs.select_related("area__parent", "household"))
        for r in listed.iterator(chunk_size=1000):
            count += 1
            m = shown_rows(by, [r])[0]
            if m["minimal"]:
                yield [
                    m["name"],
                    r.get_gender_display(),
                    "",
                    "",
                    "",
                    r.area.parent.name if r.area.parent else "",
                    r.area.name,
                    "",
                    "",
                    "",
                    "",
                ]
                continue
            if m["grant"]:
                minors.append(m)
            yield [
                r.name,
                r.get_gender_display(),
                r.birth_date.isoformat(),
                m["id_number"],
                m["phone"],
                r.area.parent.name if r.area.parent else "",
                r.area.name,
                r.household.address if r.household else "",
                r.relation,
                r.get_political_status_display(),
                "、".join(labels[t] for t in group_tags(r)),
            ]

    content = write_xlsx(EXPORT_HEADERS, rows(), title="居民")
    _audit_export(
        by=by, area_path=area_path, name="residents.xlsx", rows=count, filters=filters, grant=bulk_grant
    )
    audit_minors_listed(by, minors, what="export")
    return content


def _export_xlsx(
    *,
    by: Any,
    resource: str,
    objects: Any,
    headers: list[str],
    row: Any,
    title: str,
    filename: str,
    area_path: str,
    filters: str,
) -> bytes:
    """A list as .xlsx, limited to what the user may export, streamed, formula-safe, and audited."""
    from shequ.core.tabular import write_xlsx

    qs = access.scope(by, resource, "export", objects)
    bulk_grant = None
    if resource in PERSONAL_EXPORTS:
        _rows, bulk_grant = bulk_export_check(by=by, qs=qs, area_path=area_path, what=resource)
    count = 0

    def rows() -> Any:
        nonlocal count
        for obj in qs.iterator(chunk_size=1000):
            count += 1
            yield row(obj)

    content = write_xlsx(headers, rows(), title=title)
    _audit_export(by=by, area_path=area_path, name=filename, rows=count, filters=filters, grant=bulk_grant)
    return content


# Exports of personal data (names, addresses): more than SHEQU_BULK_EXPORT_ROWS rows need a grant.
# Organisations are units, not people (their contact phones are masked): no grant.
PERSONAL_EXPORTS = {"resident", "household"}

HOUSEHOLD_EXPORT_HEADERS = ["网格", "楼栋", "房号", "地址", "户主", "在住人数", "标签"]


def households_export(*, by: Any, households: Any, area_path: str, filters: str) -> bytes:
    """The households list as the user sees it. `households` comes from selectors.households_for."""
    from shequ.registry.selectors import household_tag_labels, visible_head

    def row(h: Household) -> list[Any]:
        head = visible_head(by, h)
        return [
            h.area.parent.name if h.area.parent else "",
            h.area.name,
            h.room,
            h.address,
            head.name if head else "",
            getattr(h, "member_count", 0),
            "、".join(household_tag_labels(h)),
        ]

    return _export_xlsx(
        by=by,
        resource="household",
        objects=households.select_related("area__parent", "head"),
        headers=HOUSEHOLD_EXPORT_HEADERS,
        row=row,
        title="住户",
        filename="households.xlsx",
        area_path=area_path,
        filters=filters,
    )


ORGANISATION_EXPORT_HEADERS = [
    "名称",
    "类型",
    "统一社会信用代码",
    "所属区域",
    "地址",
    "联系人",
    "联系电话（脱敏）",
    "成员数",
]


def organisations_export(*, by: Any, organisations: Any, area_path: str, filters: str) -> bytes:
    """The organisations list as the user sees it, contact phones masked. `organisations` comes from
    selectors.organisations_for."""
    from shequ.core.idnumber import mask_phone

    def row(o: Any) -> list[Any]:
        return [
            o.name,
            o.get_kind_display(),
            o.credit_code,
            o.area.name,
            o.address,
            o.contact_name,
            mask_phone(o.contact_phone) if o.contact_phone else "",
            getattr(o, "member_count", 0),
        ]

    return _export_xlsx(
        by=by,
        resource="organisation",
        objects=organisations,
        headers=ORGANISATION_EXPORT_HEADERS,
        row=row,
        title="组织",
        filename="organisations.xlsx",
        area_path=area_path,
        filters=filters,
    )
