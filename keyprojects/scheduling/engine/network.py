"""The activity network in index form: topological order and loop detection."""

from __future__ import annotations

from collections import deque

from .errors import DependencyLoopError
from .model import Schedule


def topological_order(
    count: int, preds: list[list[int]], succs: list[list[int]], ids: list[str]
) -> list[int]:
    """Kahn's algorithm; ties keep input order so results are reproducible."""
    indegree = [len(p) for p in preds]
    queue = deque(i for i in range(count) if indegree[i] == 0)
    order: list[int] = []
    while queue:
        node = queue.popleft()
        order.append(node)
        for nxt in succs[node]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                queue.append(nxt)
    if len(order) != count:
        raise DependencyLoopError(
            "The relations form a loop", activity_ids=[ids[i] for i in _find_loop(indegree, preds)]
        )
    return order


def _find_loop(indegree: list[int], preds: list[list[int]]) -> list[int]:
    remaining = {i for i, d in enumerate(indegree) if d > 0}
    start = min(remaining)
    path: list[int] = []
    position: dict[int, int] = {}
    node = start
    while node not in position:
        position[node] = len(path)
        path.append(node)
        node = next(p for p in preds[node] if p in remaining)
    loop = path[position[node] :]
    loop.reverse()  # predecessors were followed, so reverse into flow order
    return [*loop, loop[0]]


def open_ends(schedule: Schedule) -> tuple[list[str], list[str]]:
    """Activities (not complete) without a predecessor, and without a successor."""
    has_pred: set[str] = set()
    has_succ: set[str] = set()
    for relation in schedule.relations:
        has_pred.add(relation.successor_id)
        has_succ.add(relation.predecessor_id)
    live = [a for a in schedule.activities if not a.is_complete]
    return (
        [a.id for a in live if a.id not in has_pred],
        [a.id for a in live if a.id not in has_succ],
    )
