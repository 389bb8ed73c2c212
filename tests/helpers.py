"""Helpers shared by tests: run the real command line (``python -m core``) in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m core *args`` with text stdout and stderr captured; never raises on a non-zero exit."""
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True, timeout=timeout)
