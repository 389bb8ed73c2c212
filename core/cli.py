"""The command line: ``python -m core datasets`` and ``python -m core train ...``.

    python -m core train --dataset digits --model keras_mlp --hidden 128 --epochs 10 --batch-size 32
    python -m core train --preset seed-article --json

A progress bar goes to stderr; the result table (or ``--json``) to stdout. Bad arguments or data print one
line naming the problem and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from core.config import DataConfig, ModelConfig, ModelKind
from core.datasets import DATASETS
from core.errors import CoreError
from core.presets import PRESETS, get_preset
from core.progress import EpochLog

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse's own code), no usage dump
        print(f"error: {message} (see --help)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _units(text: str) -> tuple[int, ...]:
    if text.strip() in ("", "0", "none"):
        return ()
    try:
        return tuple(int(u) for u in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--hidden takes comma-separated integers such as 128 or 256,128; got {text!r}"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description="Tradeoff Lab: accuracy vs training cost, measured.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("datasets", help="list the datasets")
    tr = sub.add_parser("train", help="train one configuration and print its metrics and costs")
    tr.add_argument("--preset", choices=sorted(PRESETS), help="start from a named preset; flags override it")
    tr.add_argument("--dataset", choices=sorted(DATASETS))
    tr.add_argument("--model", choices=[k.value for k in ModelKind])
    tr.add_argument("--hidden", type=_units, help="hidden units per layer, e.g. 128 or 256,128")
    tr.add_argument("--epochs", type=int)
    tr.add_argument("--batch-size", type=int)
    tr.add_argument("--learning-rate", type=float)
    tr.add_argument("--optimizer", choices=["sgd", "adam", "rmsprop"])
    tr.add_argument("--activation", choices=["relu", "tanh", "sigmoid"])
    tr.add_argument("--l1", type=float)
    tr.add_argument("--l2", type=float)
    tr.add_argument("--dropout", type=float)
    tr.add_argument("--precision", choices=["float32", "mixed_bfloat16"])
    tr.add_argument("--fraction", type=float, help="share of the dataset's rows to use, in (0, 1]")
    tr.add_argument("--rows", type=int, dest="n_rows", help="cap on the number of rows used")
    tr.add_argument("--scaling", choices=["none", "minmax", "standard"])
    tr.add_argument("--imbalance", choices=["none", "class_weights", "oversample", "undersample"])
    tr.add_argument("--csv", dest="csv_path", help="CSV file for --dataset csv")
    tr.add_argument("--target", help="target column for --dataset csv")
    tr.add_argument("--seed", type=int)
    tr.add_argument("--json", action="store_true", help="print the RunResult as JSON")
    return parser


_DATA_FLAGS = ("dataset", "fraction", "n_rows", "scaling", "imbalance", "csv_path", "target", "seed")
_MODEL_FLAGS = {
    "model": "kind",
    "hidden": "hidden_units",
    "epochs": "epochs",
    "batch_size": "batch_size",
    "learning_rate": "learning_rate",
    "optimizer": "optimizer",
    "activation": "activation",
    "l1": "l1",
    "l2": "l2",
    "dropout": "dropout",
    "precision": "precision",
    "seed": "seed",
}


def configs_from_args(args: argparse.Namespace) -> tuple[DataConfig, ModelConfig]:
    from core.config import replace as replace_plain

    data, model = DataConfig(), ModelConfig()
    if args.preset:
        preset = get_preset(args.preset)
        data, model = preset.data, preset.model
    data_changes = {f: getattr(args, f) for f in _DATA_FLAGS if getattr(args, f) is not None}
    model_changes = {
        field: getattr(args, flag) for flag, field in _MODEL_FLAGS.items() if getattr(args, flag) is not None
    }
    data = replace_plain(data, **data_changes).validate()
    model = replace_plain(model, **model_changes).validate()
    if args.dataset == "csv" and not args.target:
        data = replace(data, target=None)
    return data, model


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


def format_table(result) -> str:
    v, t, c = result.validation, result.test, result.cost
    rows = [
        ("model", result.model_repr, ""),
        (
            "dataset",
            f"{result.data_config.dataset} ({result.dataset['n_train']} train / {result.dataset['n_val']} "
            f"val / {result.dataset['n_test']} test)",
            "",
        ),
        ("metric", "validation", "test"),
        ("accuracy", f"{v.accuracy:.4f}", f"{t.accuracy:.4f}"),
        ("precision", f"{v.precision:.4f}", f"{t.precision:.4f}"),
        ("recall", f"{v.recall:.4f}", f"{t.recall:.4f}"),
        ("f1", f"{v.f1:.4f}", f"{t.f1:.4f}"),
        ("roc_auc", _fmt(v.roc_auc), _fmt(t.roc_auc)),
        ("train_time_s", f"{c.train_time_s:.3f}", ""),
        ("first_epoch_s", f"{c.first_epoch_s:.3f}", ""),
        ("epoch_s_median", _fmt(c.epoch_s_median, 3), ""),
        ("latency_ms_p50 / p95", f"{c.latency_ms_p50:.3f} / {c.latency_ms_p95:.3f}", ""),
        ("n_params", f"{c.n_params:,}", ""),
        ("size_bytes", f"{c.size_bytes:,}", ""),
        ("peak_memory_mb (RSS increase)", f"{c.peak_memory_mb:.1f}", ""),
        ("stopped", str(result.stopped), ""),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{name:<{width}}  {a:<14} {b}".rstrip() for name, a, b in rows]
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)


def _fmt(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "datasets":
            for info in DATASETS.values():
                print(f"{info.name:<15} {info.kind:<8} {info.description}")
            return 0
        from core.training import train

        data_cfg, model_cfg = configs_from_args(args)
        result = train(data_cfg, model_cfg, callback=_ProgressBar())
    except CoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    print(json.dumps(result.to_dict(), indent=1) if args.json else format_table(result))
    return 0
