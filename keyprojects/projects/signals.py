"""Signals for the writers that change many projects at once without the model signals.

`projects_changed` is sent once such a write is done, inside its transaction, with
`project_ids` (a set) and `parts`: which of a project's figures changed, among "project"
(the ledger row itself), "plan" (its annual plan), "report" (its monthly reports) and "light"
(its 序时进度 light). Capabilities that keep something derived from them (alerts) listen.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

projects_changed = Signal()


def send_projects_changed(
    sender: object, project_ids: Iterable[int | None], parts: tuple[str, ...]
) -> None:
    ids = {pk for pk in project_ids if pk}
    if ids:
        projects_changed.send(sender=sender, project_ids=ids, parts=parts)
