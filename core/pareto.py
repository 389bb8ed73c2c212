"""Pareto frontier of (metric to maximise, cost to minimise) points, correct for ties and duplicates."""

from __future__ import annotations

from collections.abc import Sequence


def pareto_mask(metric: Sequence[float], cost: Sequence[float]) -> list[bool]:
    """True for each point no other point dominates.

    A point is dominated when another is at least as good on both axes and strictly better on one.
    Exact duplicates do not dominate each other, so every copy of a frontier point is on the frontier.
    """
    if len(metric) != len(cost):
        raise ValueError(f"metric and cost must have the same length; got {len(metric)} and {len(cost)}.")
    points = list(zip(metric, cost, strict=True))
    order = sorted(range(len(points)), key=lambda i: (points[i][1], -points[i][0]))  # cheapest first, best first
    mask = [False] * len(points)
    best_metric = float("-inf")
    best_cost = None
    for i in order:
        m, c = points[i]
        if m > best_metric:
            mask[i] = True
            best_metric, best_cost = m, c
        elif m == best_metric and c == best_cost:
            mask[i] = True  # an exact duplicate of a frontier point
    return mask
