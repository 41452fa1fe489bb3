"""Shequ (社区): social-worker-linked community governance."""

__version__ = "0.1.0"
