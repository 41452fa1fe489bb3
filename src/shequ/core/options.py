"""A form's choice field as <option>s (or a whole <select>), written in Python: on list pages a
template loop with an `if` per option, or Django's widget templates (one template per option), cost
more than the table's fifty rows (docs/performance.md)."""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

_SELECTED = mark_safe(" selected")  # nosec B308 B703 # a constant


def select_options(form: Any, name: str) -> SafeString:
    """The <option>s of `form[name]`, the current value selected; values and labels escaped."""
    chosen = form[name].value()
    chosen = "" if chosen is None else str(chosen)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((v, _SELECTED if str(v) == chosen else "", label) for v, label in form.fields[name].choices),
    )


def select(form: Any, name: str) -> SafeString:
    """`{{ form.<name> }}` for a plain choice field: the same <select name id> and options."""
    bound = form[name]
    return format_html(
        '<select name="{}" id="{}">{}</select>', bound.html_name, bound.auto_id, select_options(form, name)
    )
