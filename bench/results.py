"""One measured scenario, the table printed at the end of a run, and peak-memory bookkeeping."""

from __future__ import annotations

import contextlib
import resource
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Result:
    scenario: str
    backend: str
    size: int = 0
    size_unit: str = "rows"
    seconds: float = 0.0
    rate: float = 0.0
    rate_unit: str = "rows/s"
    baseline: str = ""
    baseline_rate: float = 0.0
    # Throughput of the product's path over the baseline's: 1.0 is as fast, 0.5 half as fast.
    target_ratio: float = 0.0
    target_p95_ms: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    baseline_p50_ms: float | None = None
    baseline_p95_ms: float | None = None
    peak_mib: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def ratio(self) -> float:
        return self.rate / self.baseline_rate if self.baseline_rate else 0.0

    @property
    def meets_target(self) -> bool:
        if self.error:
            return False
        ok = self.ratio >= self.target_ratio
        if self.target_p95_ms is not None:
            ok = ok and self.p95_ms is not None and self.p95_ms < self.target_p95_ms
        return ok

    def target_text(self) -> str:
        text = f"≥{self.target_ratio:.2f}"
        if self.target_p95_ms is not None:
            text += f", p95<{self.target_p95_ms:.0f}ms"
        return text

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": round(self.ratio, 4), "meets_target": self.meets_target}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


# --- peak memory ------------------------------------------------------------------------------------
# Linux keeps a high-water mark of resident memory per process (VmHWM) and lets a process reset its
# own, so each scenario reports its own peak rather than the largest so far.


def reset_peak() -> None:
    # Where Linux does not allow it, the figure is the peak since the process started.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def current_mib(pid: int | str = "self") -> float:
    """Resident memory now (Linux VmRSS), 0 where unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_mib(pid: int | str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the table -------------------------------------------------------------------------------------


def _rate(value: float, unit: str) -> str:
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:,.1f} {unit}"


def _ms(p50: float | None, p95: float | None) -> str:
    return "" if p50 is None or p95 is None else f"{p50:.0f} / {p95:.0f}"


def table(results: list[Result]) -> str:
    header = [
        "scenario",
        "db",
        "size",
        "time",
        "rate",
        "p50/p95 ms",
        "peak MiB",
        "baseline rate",
        "base p50/p95",
        "ratio",
        "target",
        "",
    ]
    rows = [header]
    for r in results:
        if r.error:
            rows.append([r.scenario, r.backend, "", "", "", "", "", "", "", "", r.target_text(), "ERROR"])
            continue
        rows.append(
            [
                r.scenario,
                r.backend,
                f"{r.size:,} {r.size_unit}",
                f"{r.seconds:.3f}s" if r.seconds < 1 else f"{r.seconds:.1f}s",
                _rate(r.rate, r.rate_unit),
                _ms(r.p50_ms, r.p95_ms),
                f"{r.peak_mib:.0f}",
                _rate(r.baseline_rate, r.rate_unit),
                _ms(r.baseline_p50_ms, r.baseline_p95_ms),
                f"{r.ratio:.2f}" if r.ratio >= 0.1 else f"{r.ratio:.3f}",
                r.target_text(),
                "ok" if r.meets_target else "below",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    errors = [f"ERROR {r.scenario} ({r.backend}): {r.error}" for r in results if r.error]
    return "\n".join(lines + errors)
