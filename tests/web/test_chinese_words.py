"""Words that read differently in Chinese by what they are about: a cancelled meeting is
取消, a cancelled task 撤销, a project 终止; open tasks are 未办结, opening a period 开启."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from keyprojects.meetings.choices import DecisionOutcome, MeetingStatus
from keyprojects.projects.choices import Stage
from keyprojects.supervision.choices import TaskStatus


def test_cancelled_reads_by_what_was_cancelled() -> None:
    with translation.override("zh-hans"):
        assert str(MeetingStatus.CANCELLED.label) == "已取消"
        assert str(DecisionOutcome.CANCELLED.label) == "已撤销"
        assert str(TaskStatus.CANCELLED.label) == "已撤销"
        assert str(Stage.CANCELLED.label) == "终止"
        outcome = Template('{% include "meetings/_outcome.html" %}')
        assert "已撤销" in outcome.render(Context({"state": "cancelled"}))


def test_open_reads_as_a_state_or_as_an_action() -> None:
    with translation.override("zh-hans"):
        assert translation.pgettext("task status", "Open") == "未办结"
        assert translation.pgettext("period", "Open") == "开启"
        assert translation.gettext("Open") == "查看"  # a link that opens a record
