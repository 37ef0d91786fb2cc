"""Paging a list made of disjoint querysets, in deadline order, without reading them all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet

from .models import Task


class UnionList:
    """What `Paginator` needs (count and slices) over the union of disjoint task querysets.

    The count adds up each branch's own count; a page reads the ids of the union in
    (deadline, id) order, where the database merges each branch's index in order, then
    loads those tasks with `load` applied (select_related and the like).
    """

    def __init__(
        self,
        branches: Sequence[QuerySet[Task]],
        load: Callable[[QuerySet[Task]], QuerySet[Task]],
    ) -> None:
        self.branches = list(branches)
        self.load = load
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = sum(branch.count() for branch in self.branches)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        if not self.branches:
            return []
        keys = [branch.order_by().values_list("deadline", "id") for branch in self.branches]
        union = keys[0].union(*keys[1:], all=True) if len(keys) > 1 else keys[0]
        ids = [pk for _deadline, pk in union.order_by("deadline", "id")[index]]
        found = {task.pk: task for task in self.load(Task.objects.filter(pk__in=ids))}
        return [found[pk] for pk in ids if pk in found]
