"""Short forms of what people wrote: a title cut from a description ends at a phrase boundary with
"…", never mid-phrase without a sign that something was left out."""

from __future__ import annotations

import re

ELLIPSIS = "…"
# Where a Chinese (or mixed) sentence may be cut: after its punctuation, or at a space.
_BOUNDARY = re.compile(r"[，。；：！？、,.;:!?）)」』”\s]")


def cut_text(text: str, limit: int) -> str:
    """The text on one line, whole when it fits in `limit` characters; otherwise cut at the last
    phrase boundary that keeps at least half of it (else at the limit) and ended with "…" (counted
    in the limit)."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    room = line[: limit - 1]
    if _BOUNDARY.match(line, limit - 1):  # the room ends where a phrase does
        return room.rstrip(" ，。；：、,.;:") + ELLIPSIS
    cut = max((m.start() for m in _BOUNDARY.finditer(room)), default=-1)
    if cut >= (limit - 1) // 2:
        room = room[:cut]
    return room.rstrip(" ，。；：、,.;:") + ELLIPSIS
