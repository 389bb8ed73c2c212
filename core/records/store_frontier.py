"""History's accuracy-vs-time frontier of the runs a filter matches, computed once per filter and store change.

:func:`frontier_view` takes the projection ``RunStore.frontier_points`` reads (indexed headline columns, no stored
result parsed), keeps the runs one frontier may compare (one dataset; runs timed alone unless asked), marks the
Pareto frontier over all of them and picks what a chart draws: the frontier whole, the other runs sampled evenly, at
most ``drawn`` points. ``RunStore.frontier_view`` keeps the answer until the store changes, so a History rerun
(a page, a pick) does no frontier work at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.explore.pareto import comparable_mask, pareto_mask

Point = tuple[int, str, str, str, float, float, str]  # id, model, dataset, model_repr, val accuracy, train s, timing
DRAWN = 400  # points a chart draws at most: the frontier whole, the others sampled


@dataclass(frozen=True)
class FrontierView:
    """What History's frontier chart shows for one filter, dataset and timing choice."""

    points: tuple[tuple[int, str, str, float, float, bool], ...]  # drawn, by id: id, model, dataset, acc, s, on front
    comparable: int  # runs with a result on this dataset (timed alone unless all timings are included)
    on_frontier: int
    every: int  # one in ``every`` of the runs off the frontier is drawn (0: none of them)

    @property
    def others(self) -> int:
        return self.comparable - self.on_frontier


def datasets_newest_first(points: list[Point]) -> tuple[str, ...]:
    """The datasets of ``points`` (oldest first, as read) ordered by their newest run: the picker's choices."""
    return tuple(dict.fromkeys(p[2] for p in reversed(points)))


def frontier_view(points: list[Point], dataset: str, *, include_all_timing: bool, drawn: int = DRAWN) -> FrontierView:
    """The frontier of the comparable ``points`` (oldest first) and the ones a chart draws."""
    mask = comparable_mask(
        [p[2] for p in points], [p[6] for p in points], dataset=dataset, include_all_timing=include_all_timing
    )
    board = [p for p, keep in zip(points, mask, strict=True) if keep]
    on = pareto_mask([p[4] for p in board], [p[5] for p in board])
    n_on = sum(on)
    others = [p for p, o in zip(board, on, strict=True) if not o]
    room = max(0, drawn - n_on)
    every = max(1, -(-len(others) // room)) if room else 0
    front = [(p, True) for p, o in zip(board, on, strict=True) if o]
    sampled = [(p, False) for p in others[::every]] if every else []
    picked = sorted(front + sampled, key=lambda item: item[0][0])
    return FrontierView(tuple((p[0], p[1], p[2], p[4], p[5], o) for p, o in picked), len(board), n_on, every)
