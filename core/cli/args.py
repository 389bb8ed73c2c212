"""What the commands share: exit codes, the parser class, knob/CSV/filter flags and their checks, the progress bar."""

from __future__ import annotations

import argparse
import os
import sys

from core.config import MODEL_KNOBS, DataConfig, ModelKind
from core.data.datasets import DATASETS
from core.errors import ConfigError, DataError
from core.knobs import KNOBS, MODEL_KNOB_NAMES, Knob, cli_type
from core.training.progress import EpochLog

EXIT_USAGE = 2
EXIT_STORE = 3  # the run store could not be used; a trained result is in a recovery file
EXIT_NO_TRIAL = 1  # a sweep ran, but not one trial completed
EXIT_TERMINATED = 143  # SIGTERM, as a shell reports it
MAX_LIST = 1000  # runs one `runs list` prints at most; --offset pages on
# The validation metrics every sweep trial records; losses are minimised on the frontier, the rest maximised.
SWEEP_METRICS = ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "log_loss")
LOSS_METRICS = frozenset({"log_loss", "brier", "brier_score"})


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse's own code), no usage dump
        print(f"error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _knob_arg(parser: argparse.ArgumentParser, knob: Knob, dest: str | None = None) -> None:
    """A knob's flag: parsed by the table (hidden units 256-128, also 256,128), help from its row."""
    rule = f"; {knob.low:g} to {knob.high:g}" if knob.low is not None and knob.high is not None else ""
    if knob.type is tuple:
        rule = "; units per layer such as 128 or 256-128 (0 or none: no hidden layer)"
    parser.add_argument(
        knob.cli_flag,
        dest=dest or knob.cli_dest,
        type=cli_type(knob),
        metavar=knob.name.upper() if not knob.choices else "{" + ",".join(c.value for c in knob.choices) + "}",
        help=knob.help.rstrip(".") + rule,
    )


def _run_filter_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", action="append", default=[], help="only this dataset (repeatable)")
    parser.add_argument("--model", action="append", default=[], help="only this model family (repeatable)")
    parser.add_argument("--status", action="append", default=[], help="only this status (repeatable)")
    parser.add_argument("--kind", action="append", default=[], choices=["train", "trial", "cv"])
    parser.add_argument("--tag", default="", help="only runs with this tag")
    parser.add_argument("--since", default="", help="only runs saved on or after this day (YYYY-MM-DD)")
    parser.add_argument("--until", default="", help="only runs saved on or before this day (YYYY-MM-DD)")


def _run_filter(args: argparse.Namespace):  # -> RunFilter
    from core.records.store import RunFilter

    where = RunFilter(
        tuple(args.dataset), tuple(args.model), tuple(args.status), tuple(args.kind), args.tag, args.since, args.until
    )
    where.where()  # a bad date is a usage error before anything is read
    return where


def _csv_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", dest="csv_path", metavar="FILE", help="your CSV file (implies --dataset csv)")
    parser.add_argument("--target", metavar="COLUMN", help="the CSV column to predict (implies --dataset csv)")
    parser.add_argument(
        "--drop",
        dest="drop_columns",
        action="append",
        metavar="COLUMN",
        help="leave this CSV column out of the features (repeatable)",
    )
    parser.add_argument(
        "--keep",
        dest="keep_columns",
        action="append",
        metavar="COLUMN",
        help="use this CSV column although it looks like an ID, mostly empty, constant or free text; a date "
        "column is then used as text (repeatable)",
    )


_DATA_FLAGS = (
    "dataset",
    "fraction",
    "n_rows",
    "scaling",
    "imbalance",
    "minority_share",
    "csv_path",
    "target",
    "drop_columns",
    "keep_columns",
    "positive_class",
    "seed",
)
_COLUMN_FLAGS = ("drop_columns", "keep_columns")  # --drop, --keep: CSV only
# CLI dest → config field, from the knob table (--hidden → hidden_units, --batch-size → batch_size, …)
_MODEL_FLAGS = {"model": "kind", **{KNOBS[n].cli_dest: n for n in MODEL_KNOB_NAMES}, "seed": "seed"}


def dataset_from_args(args: argparse.Namespace, default: str | None = "digits") -> str | None:
    """The dataset the flags ask for: ``--csv``/``--target`` imply csv; a csv dataset needs both."""
    csv_given = args.csv_path is not None or args.target is not None
    columns_given = [f"--{f.split('_')[0]}" for f in _COLUMN_FLAGS if getattr(args, f, None)]
    if columns_given and not (csv_given or args.dataset == "csv"):
        raise ConfigError(
            f"{' and '.join(columns_given)} choose columns of a CSV file; pass --csv FILE and --target COLUMN "
            f"(the {args.dataset or 'digits'} dataset has fixed features)."
        )
    if csv_given and args.dataset not in (None, "csv"):
        raise ConfigError(
            f"--csv and --target are for the csv dataset, but --dataset is {args.dataset!r}. Drop --dataset "
            "(--csv implies csv), or drop --csv/--target."
        )
    if csv_given or args.dataset == "csv":
        if not args.csv_path:
            raise ConfigError("The csv dataset needs --csv FILE (and --target COLUMN, the column to predict).")
        if not args.target:
            from core.data.csv_table import csv_columns, guess_csv_target

            columns = ", ".join(csv_columns(args.csv_path))
            guess = guess_csv_target(args.csv_path)
            likely = f" The likeliest target is '{guess}'." if guess else ""
            raise ConfigError(f"--csv needs --target COLUMN, the column to predict. Columns found: {columns}.{likely}")
        return "csv"
    return args.dataset if args.dataset is not None else default


def csv_changes(args: argparse.Namespace) -> dict[str, object]:
    """The CSV fields of a data config from the flags: file, target, and the columns dropped or kept."""
    return {
        "csv_path": args.csv_path,
        "target": args.target,
        "drop_columns": list(getattr(args, "drop_columns", None) or ()),
        "keep_columns": list(getattr(args, "keep_columns", None) or ()),
    }


def check_knobs(kind: ModelKind, given: dict[str, str], data: DataConfig | None = None) -> None:
    """Every model setting given (flag → field) must be a knob of ``kind``; a CNN needs an image dataset."""
    knobs = MODEL_KNOBS[kind]
    for flag, field in given.items():
        if field not in ("kind", "seed") and field not in knobs:
            has = [k.value for k in ModelKind if field in MODEL_KNOBS[k]]
            raise ConfigError(
                f"{flag} ({field}) is not a knob of {kind.value}: its knobs are {', '.join(knobs)}. Drop {flag}, "
                f"or pick a model that has it ({', '.join(has) or 'none'})."
            )
    if data is not None and kind == ModelKind.KERAS_CNN and not DATASETS[data.dataset].is_image:
        images = ", ".join(n for n, info in DATASETS.items() if info.is_image)
        raise ConfigError(f"keras_cnn needs an image dataset ({images}); got {data.dataset!r}. Pick another model.")


def check_csv(data: DataConfig) -> None:
    """A csv dataset's file is readable and has the target column: checked before anything trains."""
    if data.dataset != "csv":
        return
    from core.data.csv_columns import check_names
    from core.data.csv_table import csv_columns

    columns = csv_columns(data.csv_path or "")
    name = os.path.basename(data.csv_path or "")
    if data.target not in columns:
        raise DataError(
            f"CSV file '{name}' has no column {data.target!r}. Columns found: {', '.join(columns)}. "
            "Pass one of them with --target."
        )
    check_names(columns, data.target, data.keep_columns, data.drop_columns, file=f"CSV file '{name}'", flags=True)


class _ProgressBar:
    def __init__(self, width: int = 30):
        self.width = width

    def __call__(self, log: EpochLog) -> None:
        stream = sys.stderr  # looked up per call, so redirection (and pytest's capture) is honoured
        done = int(self.width * log.epoch / log.epochs)
        eta = log.elapsed_s / log.epoch * (log.epochs - log.epoch)
        val = f" val_acc {log.val_accuracy:.4f}" if log.val_accuracy is not None else ""
        stream.write(
            f"\r[{'#' * done}{'.' * (self.width - done)}] epoch {log.epoch}/{log.epochs} "
            f"loss {log.loss:.4f}{val} {log.elapsed_s:.1f}s ETA {eta:.1f}s"
        )
        if log.epoch == log.epochs:
            stream.write("\n")
        stream.flush()


def _fmt(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"
