"""Helpers shared by tests: run the command line (``python -m core``) in a fresh interpreter, or in this one."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m core *args`` with text stdout and stderr captured; never raises on a non-zero exit.

    A fresh interpreter costs seconds (imports); keep it for what only a real process shows: exit codes as
    the shell sees them, no traceback on stderr, signals, what gets imported. ``run_cli_here`` does the rest."""
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True, timeout=timeout)


def run_cli_here(*args: str) -> subprocess.CompletedProcess[str]:
    """``core.cli.main(args)`` in this process, its stdout and stderr captured, its exit code as returncode.

    argparse's own errors end in SystemExit, which is caught here and read as the exit code, as the shell would;
    any other exception propagates and fails the test (a traceback is never a result)."""
    from core.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(["core", *args], code, out.getvalue(), err.getvalue())
