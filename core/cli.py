"""The command line: ``python -m core datasets``, ``train``, ``sweep`` and ``cv``.

    python -m core train --dataset digits --model keras_mlp --hidden 128 --epochs 10 --batch-size 32
    python -m core train --preset seed-article --json
    python -m core sweep --model numpy_mlp --param hidden=16,64,256 --param batch_size=32,256 --repeats 3 --json
    python -m core cv --dataset breast_cancer --model logistic_regression --folds 5 --json
    python -m core runs list | runs show ID | runs export --format csv

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
from core.errors import ConfigError, CoreError
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
    cv.add_argument("--dataset", choices=sorted(DATASETS), default="digits")
    cv.add_argument("--model", choices=[k.value for k in ModelKind], default=ModelKind.NUMPY_MLP.value)
    cv.add_argument("--folds", type=int, default=5, help="2-10")
    cv.add_argument("--hidden", type=_units)
    cv.add_argument("--epochs", type=int)
    cv.add_argument("--seed", type=int, default=0)
    cv.add_argument("--positive-class", dest="positive_class", help="binary tasks: the class scores are of")
    cv.add_argument("--json", action="store_true", help="print folds and mean/std as JSON")

    runs = sub.add_parser("runs", help="the run history ($TRADEOFF_LAB_DB, default ~/.tradeoff_lab/runs.sqlite)")
    runs_sub = runs.add_subparsers(dest="runs_command", required=True, parser_class=_Parser)
    ls = runs_sub.add_parser("list", help="one line per stored run")
    ls.add_argument("--json", action="store_true")
    show = runs_sub.add_parser("show", help="one run's metrics and costs")
    show.add_argument("id", type=int)
    export = runs_sub.add_parser("export", help="all runs as CSV or JSON on stdout")
    export.add_argument("--format", choices=["csv", "json"], default="json")

    sw = sub.add_parser("sweep", help="train a grid of configurations and mark the accuracy/time frontier")
    sw.add_argument("--dataset", choices=sorted(DATASETS), default="digits")
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
    sw.add_argument("--metric", default="accuracy", help="metric for the frontier (validation)")
    sw.add_argument("--epochs", type=int)
    sw.add_argument("--seed", type=int, default=0)
    out = sw.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print {'trials': [...]} as JSON")
    out.add_argument("--csv", metavar="FILE", help="write one row per trial to FILE")
    return parser


_DATA_FLAGS = ("dataset", "fraction", "n_rows", "scaling", "imbalance", "csv_path", "target", "positive_class", "seed")
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
    of = f" ({v.qualifier})" if v.qualifier else ""
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
        (f"precision{of}", f"{v.precision:.4f}", f"{t.precision:.4f}"),
        (f"recall{of}", f"{v.recall:.4f}", f"{t.recall:.4f}"),
        (f"f1{of}", f"{v.f1:.4f}", f"{t.f1:.4f}"),
        ("roc_auc", _fmt(v.roc_auc), _fmt(t.roc_auc)),
        ("train_time_s (fitting only)", f"{c.train_time_s:.3f}", ""),
        ("eval_time_s (validation + scoring)", _fmt(c.eval_time_s, 3), ""),
        ("estimate_s (before the run)", _fmt(c.estimate_s, 1), ""),
        ("first_epoch_s", f"{c.first_epoch_s:.3f}", ""),
        ("epoch_s_median", _fmt(c.epoch_s_median, 3), ""),
        (
            "latency_ms_p50 / p95" + (f" ({c.latency_calls} calls)" if c.latency_calls else ""),
            f"{c.latency_ms_p50:.3f} / {c.latency_ms_p95:.3f}",
            "",
        ),
        ("n_params", f"{c.n_params:,}", ""),
        ("size_bytes", f"{c.size_bytes:,}", ""),
        ("peak_memory_mb (RSS increase)", f"{c.peak_memory_mb:.1f}", ""),
        ("stopped", str(result.stopped), ""),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{name:<{width}}  {a:<14} {b}".rstrip() for name, a, b in rows]
    lines += [f"warning: {w}" for w in result.warnings]
    return "\n".join(lines)


def _claim_line(args: argparse.Namespace, result, run_id: int) -> None:
    """After a preset with a published claim ran exactly as defined, say how this machine compares."""
    from core.presets import claim_check

    preset = get_preset(args.preset) if args.preset else None
    if preset is None or preset.claimed_test_accuracy is None or result.stopped:
        return
    if (result.data_config, result.model_config) == (preset.data, preset.model):
        print(claim_check(preset, (run_id, result)), file=sys.stderr)


def _fmt(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def sweep_spec_from_args(args: argparse.Namespace):
    from core.config import replace as replace_plain
    from core.sweeps import SweepSpec, parse_values

    if not args.param:
        raise ConfigError("A sweep needs at least one --param KNOB=V1,V2 (e.g. --param hidden=16,64,256).")
    params = {}
    for item in args.param:
        knob, sep, values = item.partition("=")
        if not sep:
            raise ConfigError(f"--param takes KNOB=V1,V2,...; got {item!r}.")
        name, parsed = parse_values(knob.strip(), values)
        params[name] = parsed
    model_changes = {"kind": args.model, "seed": args.seed}
    if args.epochs is not None:
        model_changes["epochs"] = args.epochs
    data = replace_plain(DataConfig(), dataset=args.dataset, seed=args.seed).validate()
    model = replace_plain(ModelConfig(), **model_changes).validate()
    return SweepSpec(data, model, params, repeats=args.repeats).validate()


def run_sweep_command(args: argparse.Namespace) -> int:
    import csv

    from core.sweeps import expand_grid, pareto_trials, run_sweep

    spec = sweep_spec_from_args(args)
    total = len(expand_grid(spec))

    def progress(trial, done: int, n: int) -> None:
        status = trial.status if trial.status != "complete" else f"{trial.metrics.get(args.metric, 0):.4f}"
        print(f"\r[{done}/{n}] trial {trial.index} {trial.params} {status}".ljust(100), end="", file=sys.stderr)

    print(f"{total} trials on the {args.executor} executor", file=sys.stderr)
    trials = run_sweep(spec, executor=args.executor, ray_address=args.ray_address, on_trial=progress)
    print(file=sys.stderr)
    front = pareto_trials(trials, metric=args.metric)
    rows = [t.to_dict(pareto=p) for t, p in zip(trials, front, strict=True)]
    if args.json:
        print(json.dumps({"trials": rows}, indent=1))
    elif args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            knobs = list(spec.params)
            writer.writerow(
                [
                    "index",
                    "repeat",
                    "seed",
                    *knobs,
                    "status",
                    args.metric,
                    "train_time_s",
                    "latency_ms_p50",
                    "n_params",
                    "pareto",
                    "error",
                ]
            )
            for t, p in zip(trials, front, strict=True):
                writer.writerow(
                    [
                        t.index,
                        t.repeat,
                        t.seed,
                        *[t.to_dict()["params"][k] for k in knobs],
                        t.status,
                        t.metrics.get(args.metric),
                        t.cost.get("train_time_s"),
                        t.cost.get("latency_ms_p50"),
                        t.cost.get("n_params"),
                        p,
                        t.error or "",
                    ]
                )
        print(f"wrote {len(trials)} trials to {args.csv}", file=sys.stderr)
    else:
        for t, p in zip(trials, front, strict=True):
            value = (
                "failed: " + (t.error or "")
                if t.status == "failed"
                else (f"{args.metric} {t.metrics[args.metric]:.4f}  {t.cost['train_time_s']:.3f} s")
            )
            print(f"{'*' if p else ' '} {t.index:>3} {t.to_dict()['params']}  {value}")
        print("* on the accuracy/time frontier")
    return 0


def run_cv_command(args: argparse.Namespace) -> int:
    from core.config import replace as replace_plain
    from core.evaluation import CV_METRICS, cross_validate

    changes = {"kind": args.model, "seed": args.seed}
    if args.hidden is not None:
        changes["hidden_units"] = args.hidden
    if args.epochs is not None:
        changes["epochs"] = args.epochs
    model = replace_plain(ModelConfig(), **changes).validate()
    data = replace_plain(
        DataConfig(), dataset=args.dataset, seed=args.seed, positive_class=args.positive_class
    ).validate()

    def progress(fold, total: int) -> None:
        print(f"\rfold {fold.fold}/{total} accuracy {fold.metrics['accuracy']:.4f}", end="", file=sys.stderr)

    result = cross_validate(data, model, folds=args.folds, on_fold=progress)
    print(file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
        return 0
    print(result.protocol)
    ev = result.folds[0].result.validation if result.folds and result.folds[0].result else None
    if ev is not None and ev.qualifier:
        print(f"precision, recall and f1 are of: {ev.qualifier}")
    for key in (*CV_METRICS, "train_time_s"):
        mean, std = result.mean_std(key)
        print(f"{key:<18} {mean:.4f} ± {std:.4f}")
    return 0


def run_runs_command(args: argparse.Namespace) -> int:
    from core.store import RunStore

    store = RunStore()
    if args.runs_command == "list":
        rows = [r.summary() for r in store.list()]
        if args.json:
            print(json.dumps(rows, indent=1))
        else:
            for r in rows:
                acc = "n/a" if r["accuracy"] is None else f"{r['accuracy']:.4f}"
                t = "n/a" if r["train_time_s"] is None else f"{r['train_time_s']:.3f} s"
                print(
                    f"{r['id']:>5}  {r['created_at']}  {r['kind']:<5} {r['status']:<8} {r['dataset']:<14} "
                    f"{r['model']:<22} acc {acc}  {t}"
                )
    elif args.runs_command == "show":
        run = store.get(args.id)
        print(format_table(run.result) if run.result else f"run {run.id}: {run.status} — {run.error}")
    else:
        print(store.export_json() if args.format == "json" else store.export_csv(), end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
        from core.data import prepare
        from core.estimate import describe, estimate_seconds
        from core.training import train

        data_cfg, model_cfg = configs_from_args(args)
        data = prepare(data_cfg)
        estimate = estimate_seconds(
            model_cfg,
            n_train=len(data.y_train),
            n_features=data.n_features,
            n_classes=data.n_classes,
            image_shape=data.image_shape,
        )
        print(f"estimated training time {describe(estimate)} ({estimate.basis})", file=sys.stderr)
        result = train(data_cfg, model_cfg, callback=_ProgressBar(), prepared=data, estimate_s=estimate.seconds)
        if not args.no_save:
            from core.store import open_store

            store, warning = open_store()
            if warning:
                print(f"warning: {warning}", file=sys.stderr)
            run_id = store.save(result)
            _claim_line(args, result, run_id)
    except CoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    print(json.dumps(result.to_dict(), indent=1) if args.json else format_table(result))
    return 0
