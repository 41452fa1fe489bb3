"""The client's ecomap and genogram, laid out once as plain shapes and drawn twice: as SVG on the case
page (a template, so every name is escaped) and with reportlab in the case's PDF summary.

The genogram is the registry's household (each member's relation to the head puts them in a
generation) and the relatives recorded as ties of the case; the ecomap is the household in the middle
and every tie of the case around it: the line's weight its strength, a zigzag where it is a source of
stress, arrows the way support flows. A minor's name is shown in its minimal form (李**)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.casework.models import Case, SupportFlow, Tie, TieKind, TieRelation, TieStrength
from shequ.registry.models import ResidentStatus
from shequ.registry.selectors import is_minor, mask_name

INK = "#333333"
STRESS = "#c23b3b"
SUPPORT = "#2f6fb0"
SOFT = "#f2f2f2"

# The generation of a relation to the head of the household (户主 is 0), as the registry words it.
GENERATION = {
    "祖父母": -2,
    "外祖父母": -2,
    "父母": -1,
    "父亲": -1,
    "母亲": -1,
    "岳父母": -1,
    "公婆": -1,
    "户主": 0,
    "本人": 0,
    "配偶": 0,
    "妻子": 0,
    "丈夫": 0,
    "兄弟姐妹": 0,
    "子女": 1,
    "儿子": 1,
    "女儿": 1,
    "儿媳": 1,
    "女婿": 1,
    "孙子女": 2,
    "孙子": 2,
    "孙女": 2,
    "外孙子女": 2,
}
TIE_GENERATION: dict[str, int] = {
    TieRelation.PARENT: -1,
    TieRelation.SIBLING: 0,
    TieRelation.SPOUSE: 0,
    TieRelation.CHILD: 1,
    TieRelation.GRANDCHILD: 2,
    TieRelation.OTHER: 0,
}


@dataclass(frozen=True)
class Shape:
    """One shape in top-left coordinates: circle (x, y, r), rect (x, y, w, h), line and poly (points),
    text (x, y, s)."""

    kind: str
    x: float = 0
    y: float = 0
    r: float = 0
    w: float = 0
    h: float = 0
    points: tuple[float, ...] = ()
    s: str = ""
    stroke: str = INK
    fill: str = "none"
    width: float = 1.5
    dash: str = ""
    size: float = 12
    anchor: str = "middle"

    @property
    def svg_points(self) -> str:
        return " ".join(
            f"{self.points[i]:.1f},{self.points[i + 1]:.1f}" for i in range(0, len(self.points), 2)
        )

    @property
    def x2(self) -> float:
        return self.points[2] if len(self.points) >= 4 else 0

    @property
    def y2(self) -> float:
        return self.points[3] if len(self.points) >= 4 else 0


@dataclass
class Map:
    """A drawing: its size, its title (read by screen readers) and its shapes."""

    title: str
    width: float
    height: float
    shapes: list[Shape] = field(default_factory=list)

    def add(self, kind: str, **kw: Any) -> None:
        self.shapes.append(Shape(kind, **kw))

    def text(self, x: float, y: float, s: str, **kw: Any) -> None:
        self.add("text", x=x, y=y, s=s, **kw)


@dataclass(frozen=True)
class Person:
    name: str
    gender: str  # "M", "F" or "" (unknown)
    age: int | None
    generation: int
    died: bool = False
    client: bool = False
    outside: bool = False  # a relative recorded as a tie, not a member of the household


def _short(text: str, n: int = 6) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _shown_name(resident: Any) -> str:
    return mask_name(resident.name) if is_minor(resident) else resident.name


def household_people(case: Case, ties: list[Tie], today: date | None = None) -> list[Person]:
    """The household's members (the client marked) and the relatives recorded as ties."""
    today = today or timezone.localdate()
    members: list[Any] = []
    if case.household_id is not None:
        members = [
            m
            for m in case.household.members.exclude(status=ResidentStatus.ERASED).order_by("birth_date", "id")
        ]
    if case.resident_id is not None and all(m.pk != case.resident_id for m in members):
        members.insert(0, case.resident)
    client = case.resident
    base = GENERATION.get(client.relation, 0) if client is not None else 0
    people = [
        Person(
            name=_shown_name(m),
            gender=m.gender,
            age=m.age(today),
            generation=GENERATION.get(m.relation, base if m.pk == case.resident_id else 0),
            died=m.status == ResidentStatus.DECEASED,
            outside=m.status == ResidentStatus.MOVED_OUT,
            client=m.pk == case.resident_id,
        )
        for m in members
    ]
    for t in ties:
        if t.kind == TieKind.FAMILY:
            gen = base + TIE_GENERATION.get(t.relation or TieRelation.OTHER, 0)
            people.append(Person(t.name, t.gender, None, gen, outside=True))
    return people


def genogram(case: Case, ties: list[Tie]) -> Map:
    people = household_people(case, ties)
    generations = sorted({p.generation for p in people}) or [0]
    rows = {g: [p for p in people if p.generation == g] for g in generations}
    widest = max((len(r) for r in rows.values()), default=1)
    width = max(360.0, 90.0 * widest + 40)
    height = 110.0 * len(generations) + 60
    drawing = Map(_("Genogram"), width, height)
    centres: dict[int, list[float]] = {}
    for i, g in enumerate(generations):
        row = rows[g]
        y = 50 + i * 110
        step = width / (len(row) + 1)
        centres[g] = [step * (k + 1) for k in range(len(row))]
        if i > 0 and centres.get(generations[i - 1]) and row:
            above = centres[generations[i - 1]]
            bar = y - 52
            mid = sum(above[:2]) / len(above[:2])
            drawing.add("line", points=(mid, bar - 30, mid, bar))
            drawing.add("line", points=(min(centres[g] + [mid]), bar, max(centres[g] + [mid]), bar))
            for x in centres[g]:
                drawing.add("line", points=(x, bar, x, y - 20))
        for x, p in zip(centres[g], row, strict=True):
            _person(drawing, x, y, p)
    _genogram_legend(drawing)
    return drawing


def _person(drawing: Map, x: float, y: float, p: Person) -> None:
    dash = "4 3" if p.outside else ""
    width = 3.0 if p.client else 1.5
    if p.gender == "F":
        drawing.add("circle", x=x, y=y, r=18, width=width, dash=dash, fill="#ffffff")
    elif p.gender == "M":
        drawing.add("rect", x=x - 18, y=y - 18, w=36, h=36, width=width, dash=dash, fill="#ffffff")
    else:
        drawing.add(
            "poly", points=(x, y - 20, x + 20, y, x, y + 20, x - 20, y, x, y - 20), width=width, dash=dash
        )
    if p.client:
        drawing.add("rect", x=x - 23, y=y - 23, w=46, h=46, width=1, stroke=SUPPORT)
    if p.died:
        drawing.add("line", points=(x - 18, y - 18, x + 18, y + 18))
        drawing.add("line", points=(x + 18, y - 18, x - 18, y + 18))
    if p.age is not None:
        drawing.text(x, y + 4, str(p.age), size=11)
    drawing.text(x, y + 36, _short(p.name), size=11)


def _genogram_legend(drawing: Map) -> None:
    y = drawing.height - 16
    drawing.add("rect", x=10, y=y - 10, w=12, h=12, width=1)
    drawing.text(28, y, _("male"), size=10, anchor="start")
    drawing.add("circle", x=90, y=y - 4, r=6, width=1)
    drawing.text(100, y, _("female"), size=10, anchor="start")
    drawing.add("rect", x=160, y=y - 10, w=12, h=12, width=1, dash="3 2")
    drawing.text(178, y, _("outside the household"), size=10, anchor="start")
    drawing.add("rect", x=290, y=y - 12, w=16, h=16, width=1, stroke=SUPPORT)
    drawing.text(312, y, _("the client"), size=10, anchor="start")


def _zigzag(x1: float, y1: float, x2: float, y2: float) -> tuple[float, ...]:
    length = math.hypot(x2 - x1, y2 - y1) or 1
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    nx, ny = -uy, ux
    points: list[float] = [x1, y1]
    n = max(4, int(length // 10))
    for k in range(1, n):
        t = k / n
        side = 5 if k % 2 else -5
        points += [x1 + (x2 - x1) * t + nx * side, y1 + (y2 - y1) * t + ny * side]
    return (*points, x2, y2)


def _arrow(drawing: Map, x: float, y: float, ux: float, uy: float) -> None:
    """An arrowhead at (x, y) pointing along (ux, uy)."""
    nx, ny = -uy, ux
    back = (x - ux * 11, y - uy * 11)
    drawing.add(
        "poly",
        points=(x, y, back[0] + nx * 5, back[1] + ny * 5, back[0] - nx * 5, back[1] - ny * 5, x, y),
        fill=SUPPORT,
        stroke=SUPPORT,
        width=1,
    )


WEIGHT: dict[str, float] = {TieStrength.STRONG: 4.0, TieStrength.MODERATE: 2.0, TieStrength.WEAK: 1.5}


def ecomap(case: Case, ties: list[Tie]) -> Map:
    size = 440.0
    drawing = Map(_("Ecomap"), size, size + 50)
    cx = cy = size / 2
    hub = 62.0
    drawing.add("circle", x=cx, y=cy, r=hub, width=2.5, fill=SOFT)
    drawing.text(cx, cy - 4, _short(case.client_name, 8), size=13)
    drawing.text(cx, cy + 14, _("household"), size=10)
    orbit, node = 160.0, 36.0
    for i, tie in enumerate(ties):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(ties), 1)
        ux, uy = math.cos(angle), math.sin(angle)
        tx, ty = cx + ux * orbit, cy + uy * orbit
        x1, y1 = cx + ux * hub, cy + uy * hub
        x2, y2 = tx - ux * node, ty - uy * node
        stroke = STRESS if tie.stress else INK
        if tie.stress:
            drawing.add(
                "poly", points=_zigzag(x1, y1, x2, y2), stroke=stroke, width=WEIGHT.get(tie.strength, 2.0)
            )
        else:
            drawing.add(
                "line",
                points=(x1, y1, x2, y2),
                stroke=stroke,
                width=WEIGHT.get(tie.strength, 2.0),
                dash="6 4" if tie.strength == TieStrength.WEAK else "",
            )
        if tie.flow in (SupportFlow.TO_CLIENT, SupportFlow.BOTH):
            _arrow(drawing, x1, y1, -ux, -uy)
        if tie.flow in (SupportFlow.FROM_CLIENT, SupportFlow.BOTH):
            _arrow(drawing, x2, y2, ux, uy)
        drawing.add("circle", x=tx, y=ty, r=node, width=1.5, fill="#ffffff")
        drawing.text(tx, ty - 2, _short(tie.name), size=11)
        drawing.text(tx, ty + 13, _short(str(tie.get_kind_display()), 7), size=9)
    if not ties:
        drawing.text(cx, cy + hub + 30, _("No tie recorded yet."), size=11)
    _ecomap_legend(drawing, size + 20)
    return drawing


def _ecomap_legend(drawing: Map, y: float) -> None:
    drawing.add("line", points=(10, y, 40, y), width=4)
    drawing.text(46, y + 4, _("strong"), size=10, anchor="start")
    drawing.add("line", points=(95, y, 125, y), width=2)
    drawing.text(131, y + 4, _("moderate"), size=10, anchor="start")
    drawing.add("line", points=(185, y, 215, y), width=1.5, dash="6 4")
    drawing.text(221, y + 4, _("weak"), size=10, anchor="start")
    drawing.add("poly", points=_zigzag(255, y, 285, y), stroke=STRESS, width=2)
    drawing.text(291, y + 4, _("stress"), size=10, anchor="start")
    drawing.add("line", points=(335, y, 355, y), stroke=SUPPORT, width=1.5)
    _arrow(drawing, 365, y, 1, 0)
    drawing.text(370, y + 4, _("support"), size=10, anchor="start")


def maps_of(case: Case) -> tuple[Map, Map]:
    """The case's ecomap and genogram (the caller may see the case)."""
    ties = list(case.ties.all())
    return ecomap(case, ties), genogram(case, ties)


def to_reportlab(drawing: Map, *, font: str, scale: float = 1.0) -> Any:
    """The same shapes as a reportlab Drawing (its origin is at the bottom left)."""
    from reportlab.graphics import shapes
    from reportlab.lib import colors

    def colour(value: str) -> Any:
        return None if value == "none" else colors.HexColor(value)

    def dash(value: str) -> Any:
        return [float(v) for v in value.split()] if value else None

    h = drawing.height
    out = shapes.Drawing(drawing.width * scale, h * scale)
    group = shapes.Group()
    group.transform = (scale, 0, 0, scale, 0, 0)
    for s in drawing.shapes:
        common = {"strokeColor": colour(s.stroke), "strokeWidth": s.width, "strokeDashArray": dash(s.dash)}
        if s.kind == "circle":
            group.add(shapes.Circle(s.x, h - s.y, s.r, fillColor=colour(s.fill), **common))
        elif s.kind == "rect":
            group.add(shapes.Rect(s.x, h - s.y - s.h, s.w, s.h, fillColor=colour(s.fill), **common))
        elif s.kind == "line":
            group.add(shapes.Line(s.points[0], h - s.points[1], s.points[2], h - s.points[3], **common))
        elif s.kind == "poly":
            flipped = [v if k % 2 == 0 else h - v for k, v in enumerate(s.points)]
            if s.fill != "none":
                group.add(shapes.Polygon(flipped, fillColor=colour(s.fill), **common))
            else:
                group.add(shapes.PolyLine(flipped, **common))
        elif s.kind == "text":
            anchor = {"middle": "middle", "start": "start", "end": "end"}[s.anchor]
            group.add(
                shapes.String(
                    s.x,
                    h - s.y,
                    s.s,
                    fontName=font,
                    fontSize=s.size,
                    fillColor=colour(INK),
                    textAnchor=anchor,
                )
            )
    out.add(group)
    return out
