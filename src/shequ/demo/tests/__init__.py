"""Tests of the loaded demo. Loading it is the slowest fixture of the suite, so it is loaded once, in
test_loaded_demo.py, and every app checks its own part there: an app keeps its checks in
`shequ/<app>/tests/demo_checks.py`, a `CHECKS` list of functions taking the LoadedDemo (found like
the permission matrix's probes, so a new app adds its checks without editing this package)."""

from __future__ import annotations

from dataclasses import dataclass

from shequ import demo


@dataclass(frozen=True)
class LoadedDemo:
    plan: demo.DemoPlan
    counts: dict[str, int]  # what demo.load answered
