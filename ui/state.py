"""The one session-state object every page reads: current configs, this session's runs, the baseline."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import streamlit as st

from core.config import DataConfig, ModelConfig

if TYPE_CHECKING:  # pages that run no job (Home) need not load the job machinery, nor results (NumPy)
    from core.records.result import RunResult
    from ui.jobs import SweepJob, TrainingJob

_KEY = "tradeoff_lab_state"


@dataclass
class SessionState:
    data_cfg: DataConfig = field(default_factory=DataConfig)
    model_cfg: ModelConfig = field(default_factory=ModelConfig)
    runs: list[RunResult] = field(default_factory=list)
    baseline: int | None = None  # index into runs
    current: int | None = None  # index of the run on show
    job: TrainingJob | None = None  # the Train page's job (kept in ui.jobs.REGISTRY; ?job=<id> reattaches)
    recorded_jobs: set[str] = field(default_factory=set)  # ids of jobs whose result is in ``runs``
    boundaries: dict[int, object] = field(default_factory=dict)  # run index → its final BoundarySnapshot (2-D)
    owner: str = field(default_factory=lambda: secrets.token_hex(8))  # this session, as the registry knows it
    sweep: SweepJob | None = None  # the Trade-offs page's sweep or search
    tradeoffs_controls: dict[str, object] = field(default_factory=dict)  # its widget values, kept across pages
    sweep_spec: object | None = None  # the SweepSpec it ran (None for a search)
    test_views: int = 0  # how many times the test set has been looked at this session
    revealed_test: set[int] = field(default_factory=set)  # runs whose test numbers are shown
    cv_results: dict[int, object] = field(default_factory=dict)  # run index → CrossValidation
    imbalance: tuple | None = None  # (minority share, majority accuracy, rows) of the last imbalance lab
    stored: dict[int, int] = field(default_factory=dict)  # run index → id in the run store
    link_applied: bool = False  # the URL's settings were read once, at the session's first Train visit

    @property
    def current_run(self) -> RunResult | None:
        return self.runs[self.current] if self.current is not None else None

    @property
    def baseline_run(self) -> RunResult | None:
        return self.runs[self.baseline] if self.baseline is not None else None

    @property
    def previous_run(self) -> RunResult | None:
        if self.current is None or self.current == 0:
            return None
        return self.runs[self.current - 1]

    def add_run(self, result: RunResult) -> int:
        self.runs.append(result)
        self.current = len(self.runs) - 1
        return self.current

    def find_run(self, data_cfg: DataConfig, model_cfg: ModelConfig) -> int | None:
        for i in range(len(self.runs) - 1, -1, -1):
            run = self.runs[i]
            if run.data_config == data_cfg and run.model_config == model_cfg and not run.stopped:
                return i
        return None


def get_state() -> SessionState:
    if _KEY not in st.session_state:
        st.session_state[_KEY] = SessionState()
    return st.session_state[_KEY]
