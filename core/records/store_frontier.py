"""History's accuracy-vs-time frontier of the runs a filter matches, computed once per filter and store change.

:func:`frontier_view` takes the projection ``RunStore.frontier_points`` reads (indexed headline columns, no stored
result parsed), keeps the runs one frontier may compare (one dataset; runs timed alone unless asked), marks the
Pareto frontier over all of them and picks what a chart draws: the frontier whole, the other runs sampled evenly, at
most ``drawn`` points. ``RunStore.frontier_view`` keeps the answer until the store changes, so a History rerun
(a page, a pick) does no frontier work at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


ACCURACY_COLOR = "#1f77b4"  # core.charts' accuracy colour (that module loads Altair and pandas)
TIME_FORMAT, METRIC_FORMAT = ".3~g", ".3~f"  # core.charts' axis formats: seconds, accuracy


def frontier_spec(view: FrontierView, title: str) -> tuple[dict[str, Any], dict[str, list]]:
    """The chart of ``view`` as a Vega-Lite spec (what ``core.charts.frontier_chart`` draws with no marked run:
    every drawn point, the frontier in colour and as a step line) and its data by column, to be passed beside it
    as the spec's dataset ``"points"``: built without Altair or pandas, so History's first view loads neither."""
    scale = {"zero": False}
    x = {"field": "train_time_s", "type": "quantitative", "title": "training time (s)", "scale": scale}
    y = {"field": "accuracy", "type": "quantitative", "title": "accuracy", "scale": scale}
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": title,
        "height": 320,
        "config": {"view": {"continuousWidth": 300, "continuousHeight": 300}},
        "data": {"name": "points"},
        "encoding": {"x": {**x, "axis": {"format": TIME_FORMAT}}, "y": {**y, "axis": {"format": METRIC_FORMAT}}},
        "layer": [
            {
                "transform": [{"filter": "datum.pareto"}],
                "mark": {"type": "line", "color": ACCURACY_COLOR, "interpolate": "step-after"},
            },
            {
                "mark": {"type": "circle", "opacity": 0.8, "size": 90},
                "encoding": {
                    "color": {
                        "field": "pareto",
                        "type": "nominal",
                        "title": "on frontier",
                        "scale": {"domain": [True, False], "range": [ACCURACY_COLOR, "#bbbbbb"]},
                    },
                    "tooltip": [
                        {"field": "run", "type": "quantitative"},
                        {"field": "label", "type": "nominal"},
                        {"field": "accuracy", "type": "quantitative", "format": ".4f"},
                        {"field": "train_time_s", "type": "quantitative", "format": ".3f"},
                    ],
                },
            },
        ],
    }
    columns = {
        "run": [p[0] for p in view.points],
        "label": [f"#{p[0]} {p[1]} on {p[2]}" for p in view.points],
        "accuracy": [p[3] for p in view.points],
        "train_time_s": [p[4] for p in view.points],
        "pareto": [p[5] for p in view.points],
    }
    return spec, columns
