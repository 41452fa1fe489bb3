"""Text helpers of appeals: similarity of Chinese descriptions (for duplicates) and anonymisation
of what goes on the public board."""

from __future__ import annotations

import re
from collections.abc import Iterable

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def bigrams(text: str) -> set[str]:
    """Character bigrams of the text without spaces and punctuation: Chinese needs no word split."""
    s = _NOISE.sub("", text.lower())
    if len(s) < 2:
        return {s} if s else set()
    return {s[i : i + 2] for i in range(len(s) - 1)}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character bigrams, 0..1."""
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


MASK = "*"
_PATTERNS = [
    # Resident ID numbers, then phones (mobile, landline with area code, 8-digit local).
    re.compile(r"\d{17}[\dXx]"),
    re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)"),
    re.compile(r"(?<!\d)\d{7,8}(?!\d)"),
    # Room and door numbers: 302室, 3-302, 3栋302, 5号, 12号楼 2单元 301.
    re.compile(r"\d+\s*[-－—]\s*\d+(?:\s*[-－—]\s*\d+)?"),
    re.compile(r"\d+\s*(?:室|房|户|号房|号楼|号|单元|栋|座|幢|楼|层)"),
    # A surname with a form of address: 王先生, 李阿姨, 陈伯, 小张, 老李.
    re.compile(r"[\u4e00-\u9fff](?:先生|女士|小姐|阿姨|叔叔|伯伯|大爷|大妈|奶奶|爷爷|婆婆|伯|姨|师傅)"),
    re.compile(r"[小老][\u4e00-\u9fff](?=[，。,.\s、说称反映])"),
]


def anonymise(text: str, *, names: Iterable[str] = (), places: Iterable[str] = ()) -> str:
    """Remove what identifies a person: the given names, ID numbers, phones, room and door numbers,
    and forms of address with a surname. Used for every text on the public board. The names of
    `places` (the buildings and grids of the area tree: "布匹市场1座") are a place, not a person, and
    stay as they are; a room number after them is still taken out."""
    out = text
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(name, "某居民")
    kept: list[str] = []
    for place in sorted({p.strip() for p in places if p and len(p.strip()) >= 2}, key=len, reverse=True):
        if place in out:
            out = out.replace(place, f"\x00{len(kept)}\x00")
            kept.append(place)
    for pattern in _PATTERNS:
        out = pattern.sub(lambda m: MASK * 3, out)
    for i, place in enumerate(kept):
        out = out.replace(f"\x00{i}\x00", place)
    return out
