"""Typing for requests that passed the API's authentication."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class ApiRequest(HttpRequest):
    auth: Any  # the authenticated User, set by django-ninja
