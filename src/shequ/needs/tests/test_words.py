"""One English word, two Chinese meanings: a met need is 已满足, a report's target column asks 是否达成
(issue 15: the need showed its state as the report's question)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import pgettext

from shequ.needs.models import NeedStatus


def test_a_met_need_and_a_reports_target_column_say_different_things() -> None:
    with translation.override("zh-hans"):
        assert str(NeedStatus.MET.label) == "已满足"
        assert pgettext("report column", "Target met?") == "是否达成"
