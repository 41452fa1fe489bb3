"""Shequ's benchmark harness: a deterministic district generator and scenarios measured against baselines."""
