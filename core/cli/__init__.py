"""The command line: ``python -m core datasets``, ``train``, ``sweep`` and ``cv``.

    python -m core train --dataset digits --model keras_mlp --hidden 128-64 --epochs 10 --batch-size 32
    python -m core train --preset seed-article --json
    python -m core sweep --model numpy_mlp --param hidden=16,64-64,256 --param batch_size=32,256 --repeats 3 --json
    python -m core cv --dataset breast_cancer --model logistic_regression --folds 5 --json
    python -m core compress --run ID --method float16,int8,int8-full,prune:0.8,distill:32 [--json]
    python -m core explain --run ID | <train flags> [--method permutation|shap] [--sensitive COLUMN] [--json]
    python -m core runs list --limit 50 --offset 50 --dataset digits | runs show ID | runs export --format csv
    python -m core runs import FILE...|--unsaved | runs delete ID...

A progress bar goes to stderr; the result table (or ``--json``) to stdout. Bad arguments or data print one
line naming the problem and exit with status 2, never a traceback. When the run store cannot be used
(locked, damaged, unreachable), ``train`` still prints its result, saves it to
``~/.tradeoff_lab/unsaved/*.json`` (``runs import --unsaved`` adds it later) and exits with status 3.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from core.cli.args import (
    EXIT_NO_TRIAL,
    EXIT_STORE,
    EXIT_TERMINATED,
    EXIT_USAGE,
    LOSS_METRICS,
    MAX_LIST,
    SWEEP_METRICS,
    _csv_args,
    _knob_arg,
    _Parser,
    _run_filter_args,
)
from core.cli.compress_cmd import _compress_parser, run_compress_command
from core.cli.explain_cmd import run_explain_command
from core.cli.runs_cmd import run_runs_command
from core.cli.sweep_cmd import frontier, run_sweep_command
from core.cli.train_cmd import configs_from_args, format_table, run_cv_command, run_train_command
from core.config import ModelKind
from core.data.datasets import DATASETS
from core.errors import CoreError
from core.explore.ray_connect import CONNECT_TIMEOUT_S
from core.knobs import KNOBS, MODEL_KNOB_NAMES
from core.presets import PRESETS

__all__ = [
    "EXIT_NO_TRIAL",
    "EXIT_STORE",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "LOSS_METRICS",
    "MAX_LIST",
    "SWEEP_METRICS",
    "build_parser",
    "configs_from_args",
    "format_table",
    "frontier",
    "main",
]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description="Tradeoff Lab: accuracy vs training cost, measured.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("datasets", help="list the datasets")
    tr = sub.add_parser("train", help="train one configuration and print its metrics and costs")
    tr.add_argument("--preset", choices=sorted(PRESETS), help="start from a named preset; flags override it")
    tr.add_argument("--dataset", choices=sorted(DATASETS))
    tr.add_argument("--model", choices=[k.value for k in ModelKind])
    for name in MODEL_KNOB_NAMES:  # one flag per row of the knob table
        _knob_arg(tr, KNOBS[name])
    for name in ("fraction", "n_rows", "scaling", "imbalance", "minority_share"):
        _knob_arg(tr, KNOBS[name], dest=name)
    _csv_args(tr)
    tr.add_argument(
        "--positive-class",
        dest="positive_class",
        help="binary tasks: the class precision, recall and F1 are of (default: breast_cancer's malignant, "
        "else the training split's minority class)",
    )
    tr.add_argument("--seed", type=int)
    tr.add_argument("--json", action="store_true", help="print the RunResult as JSON")
    tr.add_argument("--no-save", action="store_true", help="do not add the run to the run history")

    cv = sub.add_parser("cv", help="k-fold stratified cross-validation of one configuration")
    cv.add_argument("--dataset", choices=sorted(DATASETS), help="default digits; --csv implies csv")
    _csv_args(cv)
    cv.add_argument("--model", choices=[k.value for k in ModelKind], default=ModelKind.NUMPY_MLP.value)
    cv.add_argument("--folds", type=int, default=5, help="2-10")
    _knob_arg(cv, KNOBS["hidden_units"])
    _knob_arg(cv, KNOBS["epochs"])
    cv.add_argument("--seed", type=int, default=0)
    cv.add_argument("--positive-class", dest="positive_class", help="binary tasks: the class scores are of")
    cv.add_argument("--json", action="store_true", help="print folds and mean/std as JSON")

    runs = sub.add_parser("runs", help="the run history ($TRADEOFF_LAB_DB, default ~/.tradeoff_lab/runs.sqlite)")
    runs_sub = runs.add_subparsers(dest="runs_command", required=True, parser_class=_Parser)
    ls = runs_sub.add_parser("list", help="one line per stored run, newest first, a page at a time")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--limit", type=int, default=100, help="runs per page, 1-1000 (default 100)")
    ls.add_argument("--offset", type=int, default=0, help="runs to skip (the next page: --offset 100)")
    _run_filter_args(ls)
    show = runs_sub.add_parser("show", help="one run's metrics and costs")
    show.add_argument("id", type=int)
    export = runs_sub.add_parser("export", help="the runs (all, or those the filters pick) as CSV or JSON on stdout")
    export.add_argument("--format", choices=["csv", "json"], default="json")
    _run_filter_args(export)
    imp = runs_sub.add_parser(
        "import", help="add the runs of JSON exports (or recovery files); all or nothing, several files checked at once"
    )
    imp.add_argument("files", nargs="*", metavar="FILE")
    imp.add_argument(
        "--unsaved",
        action="store_true",
        help="every run the store could not save, waiting in ~/.tradeoff_lab/unsaved/ (the files then move to "
        "unsaved/imported/)",
    )
    delete = runs_sub.add_parser("delete", help="delete runs by id")
    delete.add_argument("ids", type=int, nargs="+", metavar="ID")

    _compress_parser(sub, tr)

    sw = sub.add_parser("sweep", help="train a grid of configurations and mark the accuracy/time frontier")
    sw.add_argument("--dataset", choices=sorted(DATASETS), help="default digits; --csv implies csv")
    _csv_args(sw)
    sw.add_argument("--model", choices=[k.value for k in ModelKind], default=ModelKind.NUMPY_MLP.value)
    sw.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KNOB=V1,V2",
        help="a knob and its values, e.g. hidden=16,64,256 or batch_size=32,256 (repeatable)",
    )
    sw.add_argument("--repeats", type=int, default=1, help="seeds per configuration (1-10)")
    sw.add_argument(
        "--executor",
        choices=["serial", "local", "ray"],
        default="serial",
        help="serial: honest times; local: process pool over the cores; ray: a Ray cluster",
    )
    sw.add_argument("--ray-address", help="Ray cluster address (default: $RAY_ADDRESS, else a local Ray)")
    sw.add_argument(
        "--ray-timeout",
        type=float,
        default=CONNECT_TIMEOUT_S,
        metavar="S",
        help="seconds allowed to reach the Ray cluster before giving up (default 30)",
    )
    sw.add_argument(
        "--metric",
        default="accuracy",
        help=f"validation metric for the frontier: {', '.join(SWEEP_METRICS)} (losses are minimised)",
    )
    _knob_arg(sw, KNOBS["epochs"])
    sw.add_argument("--seed", type=int, default=0)
    out = sw.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print {'trials': [...]} as JSON")
    out.add_argument("--out", metavar="FILE", help="write one row per trial to FILE as CSV")

    ex = sub.add_parser("explain", add_help=False, help="global feature importance (and fairness by group) of a run")
    ex._add_container_actions(tr)  # every train flag (preset, dataset, model knobs, csv, --json) means the same here
    ex.add_argument("--run", type=int, metavar="ID", help="explain a stored run (its configs; the model is refitted)")
    ex.add_argument("--method", choices=["permutation", "shap"], default="permutation")
    ex.add_argument("--repeats", type=int, default=5, help="permutation: shuffles per feature (1-100)")
    ex.add_argument("--shap-rows", type=int, default=100, help="shap: validation rows explained (2-100000)")
    ex.add_argument("--sensitive", metavar="COLUMN", help="binary tasks: metrics per group of this column")
    ex.add_argument("--bins", type=int, default=4, help="quantile bins for a numeric --sensitive column (2-20)")
    return parser


class Terminated(BaseException):
    """SIGTERM arrived: the command stops where it is and exits 143 (BaseException: no trial records it)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if in_main else None  # honoured while waiting too
    try:
        return _main(args)
    except Terminated:
        print("\nterminated", file=sys.stderr)
        return EXIT_TERMINATED
    finally:
        if in_main and previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(args: argparse.Namespace) -> int:
    try:
        if args.command == "datasets":
            for info in DATASETS.values():
                print(f"{info.name:<15} {info.kind:<8} {info.description}")
            return 0
        if args.command == "sweep":
            return run_sweep_command(args)
        if args.command == "cv":
            return run_cv_command(args)
        if args.command == "runs":
            return run_runs_command(args)
        if args.command == "compress":
            return run_compress_command(args)
        if args.command == "explain":
            return run_explain_command(args)
        return run_train_command(args)
    except CoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
