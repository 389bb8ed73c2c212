"""Helpers shared by the benchmark scripts: a markdown table, target checks, the environment line."""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from core.machine import environment_stamp  # noqa: E402


@dataclass
class Row:
    what: str
    measured: str
    target: str = ""
    ok: bool | None = None  # None: reported only, no target

    @property
    def verdict(self) -> str:
        return "" if self.ok is None else ("pass" if self.ok else "MISS")


def print_table(title: str, rows: list[Row]) -> int:
    """Print a markdown table and the environment stamp; return the exit code (1 when a target is missed)."""
    print(f"\n### {title}\n")
    print("| measurement | measured | target | verdict |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r.what} | {r.measured} | {r.target} | {r.verdict} |")
    env = environment_stamp()
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    print(
        f"\n_{env['cpu']}, {env['cores']} cores, {env['threads']} BLAS threads, Python {env['python']}, "
        f"{versions}; device {env['device']}._"
    )
    missed = [r.what for r in rows if r.ok is False]
    if missed:
        print(f"\nMISSED: {'; '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


def median(values: list[float]) -> float:
    return statistics.median(values)
