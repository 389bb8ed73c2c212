"""Tradeoff Lab — entry point: page config and navigation (ui/shell.py). Start with `make run`."""

from ui.shell import run_app

run_app()
