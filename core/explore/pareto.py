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


CLEAN_TIMING = "serial"  # cost.timing_context of a run timed with nothing else competing for the machine


def comparable_mask(
    datasets: Sequence[str], contexts: Sequence[str], *, dataset: str, include_all_timing: bool = False
) -> list[bool]:
    """Which runs may share one frontier: same dataset only, and clean ("serial") times unless asked.

    Accuracy on different datasets is not comparable, and a time measured under contention (parallel
    trials, TensorFlow loading, a Ray worker) would put a run on the wrong side of a clean one.
    """
    if len(datasets) != len(contexts):
        raise ValueError(f"datasets and contexts must have the same length; got {len(datasets)} and {len(contexts)}.")
    return [d == dataset and (include_all_timing or c == CLEAN_TIMING) for d, c in zip(datasets, contexts, strict=True)]


def timing_note(context: str) -> str:
    """One line saying what a non-serial timing context means for the times shown."""
    if context.startswith("parallel:"):
        n = context.split(":", 1)[1]
        return f"Timed while {n} runs shared this machine: times are inflated by the contention."
    if context == "ray":
        return "Timed on a Ray worker, on whatever machine ran it: not comparable with local times."
    if context == "tensorflow-loading":
        return "Timed while TensorFlow was still loading in the Keras worker: times may be inflated."
    return "Timed alone: nothing else ran meanwhile." if context == CLEAN_TIMING else f"Timing context: {context}."
