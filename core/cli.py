"""The command line: ``python -m core datasets``, ``train``, ``sweep`` and ``cv``.

    python -m core train --dataset digits --model keras_mlp --hidden 128-64 --epochs 10 --batch-size 32
    python -m core train --preset seed-article --json
    python -m core sweep --model numpy_mlp --param hidden=16,64-64,256 --param batch_size=32,256 --repeats 3 --json
    python -m core cv --dataset breast_cancer --model logistic_regression --folds 5 --json
    python -m core compress --run ID --method float16,int8,int8-full,prune:0.8,distill:32 [--json]
    python -m core explain --run ID | <train flags> [--method permutation|shap] [--sensitive COLUMN] [--json]
    python -m core runs list --limit 50 --offset 50 --dataset digits | runs show ID | runs export --format csv
    python -m core runs import FILE | runs delete ID...

A progress bar goes to stderr; the result table (or ``--json``) to stdout. Bad arguments or data print one
line naming the problem and exit with status 2, never a traceback. When the run store cannot be used
(locked, damaged, unreachable), ``train`` still prints its result, saves it to
``~/.tradeoff_lab/unsaved/*.json`` (``runs import FILE`` adds it later) and exits with status 3.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from core.config import MODEL_KNOBS, DataConfig, ModelConfig, ModelKind
from core.data.datasets import DATASETS
from core.errors import ConfigError, CoreError, DataError
from core.explore.ray_connect import CONNECT_TIMEOUT_S, check_address
from core.knobs import KNOBS, MODEL_KNOB_NAMES, Knob, cli_type
from core.presets import PRESETS, get_preset
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
    for name in ("fraction", "n_rows", "scaling", "imbalance"):
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
    imp = runs_sub.add_parser("import", help="add the runs of a JSON export (or a recovery file); all or nothing")
    imp.add_argument("file")
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


def _compress_parser(sub, train_parser: argparse.ArgumentParser) -> None:
    from core.compress.methods import DEFAULT_METHODS, METHOD_HELP, STUDENT_EPOCHS

    cp = sub.add_parser("compress", help="quantize, prune and distil a Keras model; measure size, latency, accuracy")
    cp.add_argument("--run", type=int, metavar="ID", help="a stored run (retrained from its configuration and seed)")
    for action in train_parser._actions:  # the train flags, shared as they are (no copy to drift)
        if action.dest not in ("help", "json", "no_save"):
            cp._add_action(action)
    cp.add_argument(
        "--method",
        default=DEFAULT_METHODS,
        help=f"comma-separated: {', '.join(f'{k}' + (':X' if v[1] else '') for k, v in METHOD_HELP.items())}",
    )
    cp.add_argument("--fine-tune-epochs", type=int, default=2, help="epochs of fine-tuning after pruning (0-50)")
    cp.add_argument(
        "--student-epochs",
        type=int,
        default=STUDENT_EPOCHS,
        help=f"epochs of the distilled student and of the student alone (default {STUDENT_EPOCHS})",
    )
    cp.add_argument("--temperature", type=float, default=2.0, help="distillation temperature (> 0)")
    cp.add_argument("--alpha", type=float, default=0.5, help="distillation: weight of the label loss (0-1)")
    cp.add_argument("--json", action="store_true", help='print {"original": ..., "variants": [...]} as JSON')
    cp.add_argument("--no-save", action="store_true", help="do not add the variants to the run history")


def run_compress_command(args: argparse.Namespace) -> int:
    from core.compress import CompressSpec, parse_methods, run_compress

    methods = parse_methods(args.method)
    given = [f for f in (*_DATA_FLAGS, *_MODEL_FLAGS, "preset") if getattr(args, f, None) is not None]
    store = None
    if args.run is not None:
        if given:
            flags = ", ".join("--" + f.replace("_", "-") for f in given)
            raise ConfigError(f"--run takes its configuration from the stored run; drop {flags} or drop --run.")
        from core.records.store import RunStore

        store = RunStore()
        run = store.get(args.run)
        if run.result is None:
            raise ConfigError(f"Run {args.run} has no result to compress ({run.status}). Pick a completed run.")
        data_cfg, model_cfg = run.result.data_config, run.result.model_config
        print(f"run {args.run}: retraining {run.result.model_repr} from its configuration and seed", file=sys.stderr)
    else:
        data_cfg, model_cfg = configs_from_args(args)
    spec = CompressSpec(
        data_cfg,
        model_cfg,
        methods,
        fine_tune_epochs=args.fine_tune_epochs,
        student_epochs=args.student_epochs,
        temperature=args.temperature,
        alpha=args.alpha,
    ).validate()
    report = run_compress(spec, callback=_ProgressBar(), on_step=lambda text: print(f"- {text}", file=sys.stderr))
    out = report.to_dict()
    status = 0
    if not args.no_save:
        status = _save_variants(report, out, args.run, store)
    if args.json:
        print(json.dumps(out, indent=1))
        return status
    o = out["original"]
    print(
        f"{report.model_repr} on {data_cfg.dataset}: accuracy {o['metrics']['validation']['accuracy']:.4f}, "
        f"{o['cost']['size_bytes']:,} bytes, {o['cost']['latency_ms_p50']:.3f} ms (Keras, batch 1)"
    )
    print(f"{'method':<16}{'runtime':<8}{'accuracy':>9}{'Δ pp':>7}{'bytes':>11}{'gzip':>10}{'p50 ms':>9}  status")
    for v in out["variants"]:
        acc = v["metrics"].get("validation", {}).get("accuracy")
        c = v["cost"]
        delta = "" if v["delta_accuracy_pp"] is None else f"{v['delta_accuracy_pp']:+.1f}"
        cells = (
            f"{acc:>9.4f}{delta:>7}{c['size_bytes']:>11,}{c['gzip_bytes']:>10,}{c['latency_ms_p50']:>9.3f}"
            if acc is not None
            else " " * 46
        )
        print(f"{v['method']:<16}{v['runtime']:<8}{cells}  {v['status']}")
    for v in out["variants"]:
        print(v["verdict"])
    return status


def _save_variants(report, out: dict, parent_id: int | None, store) -> int:
    """Store the original (when it was trained from flags) and every variant linked to it; ids go into ``out``."""
    import uuid

    from core.compress.runner import variant_run
    from core.records.store import RunStore, StoreError

    try:
        store = store or RunStore()
        if parent_id is None:
            parent_id = store.save(report.parent)
        batch = str(uuid.uuid4())
        ids = []
        by_label = {v.method: v for v in report.variants}
        for row in out["variants"]:
            v = by_label[row["method"]]
            result = variant_run(report, v) if v.status == "complete" else None
            info = {**row, "batch": batch, "model": out["model"], "original": out["original"]}
            ids.append(store.save_variant(result, parent_id=parent_id, info=info))
    except StoreError as err:
        print(f"error: the variants are not in the history: {err}", file=sys.stderr)
        return EXIT_STORE
    out["parent_id"], out["variant_ids"] = parent_id, ids
    return 0


def _csv_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", dest="csv_path", metavar="FILE", help="your CSV file (implies --dataset csv)")
    parser.add_argument("--target", metavar="COLUMN", help="the CSV column to predict (implies --dataset csv)")


_DATA_FLAGS = ("dataset", "fraction", "n_rows", "scaling", "imbalance", "csv_path", "target", "positive_class", "seed")
# CLI dest → config field, from the knob table (--hidden → hidden_units, --batch-size → batch_size, …)
_MODEL_FLAGS = {"model": "kind", **{KNOBS[n].cli_dest: n for n in MODEL_KNOB_NAMES}, "seed": "seed"}


def configs_from_args(args: argparse.Namespace) -> tuple[DataConfig, ModelConfig]:
    from core.config import replace_plain

    data, model = DataConfig(), ModelConfig()
    if args.preset:
        preset = get_preset(args.preset)
        data, model = preset.data, preset.model
    data_changes = {f: getattr(args, f) for f in _DATA_FLAGS if getattr(args, f) is not None}
    if (dataset := dataset_from_args(args, default=None)) is not None:
        data_changes["dataset"] = dataset
    model_changes = {
        field: getattr(args, flag) for flag, field in _MODEL_FLAGS.items() if getattr(args, flag) is not None
    }
    data = replace_plain(data, **data_changes).validate()
    model = replace_plain(model, **model_changes).validate()
    check_knobs(
        model.kind,
        {
            f"--{flag.replace('_', '-')}": field
            for flag, field in _MODEL_FLAGS.items()
            if getattr(args, flag) is not None
        },
        data,
    )
    check_csv(data)
    return data, model


def dataset_from_args(args: argparse.Namespace, default: str | None = "digits") -> str | None:
    """The dataset the flags ask for: ``--csv``/``--target`` imply csv; a csv dataset needs both."""
    csv_given = args.csv_path is not None or args.target is not None
    if csv_given and args.dataset not in (None, "csv"):
        raise ConfigError(
            f"--csv and --target are for the csv dataset, but --dataset is {args.dataset!r}. Drop --dataset "
            "(--csv implies csv), or drop --csv/--target."
        )
    if csv_given or args.dataset == "csv":
        if not args.csv_path:
            raise ConfigError("The csv dataset needs --csv FILE (and --target COLUMN, the column to predict).")
        if not args.target:
            from core.data.csv_table import csv_columns

            columns = ", ".join(csv_columns(args.csv_path))
            raise ConfigError(f"--csv needs --target COLUMN, the column to predict. Columns found: {columns}.")
        return "csv"
    return args.dataset if args.dataset is not None else default


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
    from core.data.csv_table import csv_columns

    columns = csv_columns(data.csv_path or "")
    if data.target not in columns:
        name = os.path.basename(data.csv_path or "")
        raise DataError(
            f"CSV file '{name}' has no column {data.target!r}. Columns found: {', '.join(columns)}. "
            "Pass one of them with --target."
        )


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
    from core.config import replace_plain
    from core.explore.sweeps import DATA_KNOBS, SweepSpec, expand_grid, parse_values

    if args.metric not in SWEEP_METRICS:
        raise ConfigError(f"Unknown --metric {args.metric!r}. Metrics: {', '.join(SWEEP_METRICS)}.")
    if args.ray_address and args.executor != "ray":
        raise ConfigError(f"--ray-address is for --executor ray; the executor is {args.executor!r}.")
    if not args.ray_timeout > 0:
        raise ConfigError(f"--ray-timeout must be a number of seconds > 0. Got {args.ray_timeout!r}.")
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
    data_changes = {"dataset": dataset_from_args(args), "seed": args.seed}
    if data_changes["dataset"] == "csv":
        data_changes.update(csv_path=args.csv_path, target=args.target)
    data = replace_plain(DataConfig(), **data_changes).validate()
    model = replace_plain(ModelConfig(), **model_changes).validate()
    spec = SweepSpec(data, model, params, repeats=args.repeats).validate()
    kinds = [ModelKind(k) for k in params.get("kind", [model.kind])]
    for kind in kinds:  # a knob a swept model does not have would be ignored silently: refuse it
        given = {"--epochs": "epochs"} if args.epochs is not None else {}
        given.update({f"--param {k}": k for k in params if k not in DATA_KNOBS and k != "kind"})
        check_knobs(kind, given, data)
    for trial in expand_grid(spec):  # every configuration is checked before the first one trains
        try:
            trial.data.validate()
            trial.model.validate()
        except ConfigError as err:
            raise ConfigError(f"The sweep's configuration {trial.params} is invalid: {err}") from None
    check_csv(data)
    return spec


def _engine_runner(spec, executor: str):
    """A serial sweep whose Keras trials use more than one engine (``--param backend=tensorflow,jax``) runs
    each trial in a worker process of its engine: one process holds one Keras engine. Else (None, None)."""
    from core.explore.sweeps import expand_grid, pooled_runner
    from core.models.keras_import import wanted_backend
    from core.training.worker import EnginePools

    engines = {wanted_backend(t.model) for t in expand_grid(spec) if t.model.kind.uses_keras}
    if executor != "serial" or len(engines) < 2:
        return None, None
    pools = EnginePools(keras_max_size=1, light_max_size=1)
    return pooled_runner(pools.pool_for), pools


def run_sweep_command(args: argparse.Namespace) -> int:
    import csv

    from core.explore.sweeps import expand_grid, run_sweep

    spec = sweep_spec_from_args(args)
    total = len(expand_grid(spec))
    if args.executor == "ray":  # reachable within the timeout, or one line and exit 2: never a hang
        check_address(args.ray_address or os.environ.get("RAY_ADDRESS"), timeout_s=args.ray_timeout)
    from core.data.prepare import prepare

    prepare(spec.data)  # the data loads (file, target column, download) before any trial trains

    def progress(trial, done: int, n: int) -> None:
        status = trial.status if trial.status != "complete" else _fmt(trial.metrics.get(args.metric))
        print(f"\r[{done}/{n}] trial {trial.index} {trial.params} {status}".ljust(100), end="", file=sys.stderr)

    print(f"{total} trials on the {args.executor} executor", file=sys.stderr)
    runner, pools = _engine_runner(spec, args.executor)
    try:
        trials = run_sweep(spec, executor=args.executor, ray_address=args.ray_address, on_trial=progress, runner=runner)
    finally:
        if pools is not None:
            pools.close()
    print(file=sys.stderr)
    front = frontier(trials, args.metric)
    rows = [t.to_dict(pareto=p) for t, p in zip(trials, front, strict=True)]
    if args.json:
        print(json.dumps({"trials": rows}, indent=1))
    elif args.out:
        with open(args.out, "w", newline="", encoding="utf-8") as fh:
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
        print(f"wrote {len(trials)} trials to {args.out}", file=sys.stderr)
    else:
        for t, p in zip(trials, front, strict=True):
            value = (
                "failed: " + (t.error or "")
                if t.status == "failed"
                else (f"{args.metric} {_fmt(t.metrics.get(args.metric))}  {t.cost['train_time_s']:.3f} s")
            )
            print(f"{'*' if p else ' '} {t.index:>3} {t.to_dict()['params']}  {value}")
        better = "lower" if args.metric in LOSS_METRICS else "higher"
        print(f"* on the {args.metric}/time frontier ({better} is better)")
    if not any(t.status == "complete" for t in trials):
        print(f"error: none of the {len(trials)} trials completed; see their errors above.", file=sys.stderr)
        return EXIT_NO_TRIAL
    return 0


def frontier(trials, metric: str, cost: str = "train_time_s") -> list[bool]:
    """Per trial: on the metric/cost frontier? A loss (log_loss, Brier) is minimised, other metrics maximised."""
    from core.explore.pareto import pareto_mask

    sign = -1.0 if metric in LOSS_METRICS else 1.0
    ok = [t.status != "failed" and t.metrics.get(metric) is not None for t in trials]
    mask = pareto_mask(
        [sign * t.metrics[metric] if o else float("-inf") for t, o in zip(trials, ok, strict=True)],
        [t.cost.get(cost, float("inf")) if o else float("inf") for t, o in zip(trials, ok, strict=True)],
    )
    return [m and o for m, o in zip(mask, ok, strict=True)]


def run_cv_command(args: argparse.Namespace) -> int:
    from core.config import replace_plain
    from core.evaluation.cross_validation import CV_METRICS, cross_validate

    changes = {"kind": args.model, "seed": args.seed}
    if args.hidden is not None:
        changes["hidden_units"] = args.hidden
    if args.epochs is not None:
        changes["epochs"] = args.epochs
    if not 2 <= args.folds <= 10:
        raise ConfigError(f"--folds must be an integer in [2, 10]. Got {args.folds}.")
    model = replace_plain(ModelConfig(), **changes).validate()
    data_changes = {
        "dataset": dataset_from_args(args),
        "seed": args.seed,
        "positive_class": getattr(args, "positive_class", None),
    }
    if data_changes["dataset"] == "csv":
        data_changes.update(csv_path=args.csv_path, target=args.target)
    data = replace_plain(DataConfig(), **data_changes).validate()
    given = {"--hidden": "hidden_units", "--epochs": "epochs"}
    check_knobs(model.kind, {flag: f for flag, f in given.items() if getattr(args, flag[2:]) is not None}, data)
    check_csv(data)

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


def run_explain_command(args: argparse.Namespace) -> int:
    """Refit the run's model and print its global importance (and per-group metrics) as a table or JSON."""
    from core.explain import refit
    from core.explain.importance import permutation, shap_importance

    if args.run is not None:
        from core.records.store import RunStore

        stored = RunStore().get(args.run)
        if stored.result is None:
            raise ConfigError(f"Run {args.run} has no result to explain ({stored.status}). Pick a completed run.")
        data_cfg, model_cfg = stored.result.data_config, stored.result.model_config
    else:
        data_cfg, model_cfg = configs_from_args(args)
    print(f"fitting {model_cfg.kind.value} on {data_cfg.dataset}…", file=sys.stderr)
    fit = refit(data_cfg, model_cfg)
    d = fit.data
    if args.sensitive:  # checked before the (slower) importance
        from core.explain.fairness import group_metrics, sensitive_groups

        if d.n_classes != 2:
            raise ConfigError(f"--sensitive needs a binary task; {data_cfg.dataset} has {d.n_classes} classes.")
        groups, note = sensitive_groups(data_cfg, args.sensitive, bins=args.bins)
    if args.method == "permutation":
        importance = permutation(fit.model, d.X_val, d.y_val, d.feature_names, n_repeats=args.repeats)
    else:

        def progress(done: int, total: int, seconds: float) -> None:
            eta = seconds / done * (total - done)
            print(f"\rshap {done}/{total} rows {seconds:.1f}s ETA {eta:.1f}s", end="", file=sys.stderr)

        importance = shap_importance(
            fit.model, d.X_val, d.feature_names, background=d.X_train, n_rows=args.shap_rows, on_progress=progress
        )
        print(file=sys.stderr)
    out = importance.to_dict()
    out["run"] = {"id": args.run, "dataset": data_cfg.dataset, "model": model_cfg.kind.value}
    if args.sensitive:
        report = group_metrics(d.y_val, fit.model.predict(d.X_val), groups).to_dict()
        out.update(report, sensitive=args.sensitive, sensitive_note=note)
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    print(f"{importance.method} importance on {importance.n_rows} validation rows ({importance.time_s:.2f} s)")
    for row in out["global"][:20]:
        print(f"{row['feature']:<30} {row['importance']:>9.4f} ± {row['std']:.4f}")
    for row in out.get("groups", []):
        print(
            f"{row['group']:<20} n={row['count']:<5} acc {row['accuracy']:.3f} recall {row['recall']:.3f} "
            f"precision {row['precision']:.3f} selected {row['selection_rate']:.3f}"
        )
    if args.sensitive:
        print(
            f"demographic parity difference {out['demographic_parity_difference']:.3f}, "
            f"equalized odds difference {out['equalized_odds_difference']:.3f}. {note}"
        )
    return 0


def run_runs_command(args: argparse.Namespace) -> int:
    from core.records.store import RunNotFound, RunStore, StoreError
    from core.records.store_import import ImportFormatError

    try:
        if args.runs_command == "list" and not 1 <= args.limit <= MAX_LIST:
            raise ConfigError(f"--limit must be an integer in [1, {MAX_LIST}]. Got {args.limit}.")
        if args.runs_command == "list" and args.offset < 0:
            raise ConfigError(f"--offset must be an integer ≥ 0. Got {args.offset}.")
        where = _run_filter(args) if args.runs_command in ("list", "export") else None
        store = RunStore()
        if args.runs_command == "list":
            page = store.page(where, limit=args.limit, offset=args.offset)
            rows = [r.row() for r in page.runs]
            if args.json:
                print(json.dumps(rows, indent=1))
            else:
                for r in rows:
                    acc = "n/a" if r["accuracy"] is None else f"{r['accuracy']:.4f}"
                    t = "n/a" if r["train_time_s"] is None else f"{r['train_time_s']:.3f} s"
                    print(
                        f"{r['id']:>5}  {r['created_at']}  {r['kind']:<5} {r['status']:<11} {r['dataset']:<14} "
                        f"{r['model']:<22} acc {acc}  {t}"
                    )
            more = f"; --offset {page.last} for the next page" if page.last < page.total else ""
            print(f"showing {page.first}–{page.last} of {page.total:,} run(s){more}", file=sys.stderr)
        elif args.runs_command == "show":
            run = store.get(args.id)
            if run.problem:
                print(f"run {run.id}: unreadable ({run.problem}); `runs delete {run.id}` removes it")
            else:
                print(format_table(run.result) if run.result else f"run {run.id}: {run.status} — {run.error}")
        elif args.runs_command == "import":
            with open(args.file, "rb") as fh:
                print(store.import_json(fh.read()))
        elif args.runs_command == "delete":
            for run_id in args.ids:
                store.get(run_id)  # every id must exist before any is deleted
            for run_id in args.ids:
                store.delete(run_id)
            print(f"Deleted {len(args.ids)} run(s).")
        else:
            from core.records.store_import import write_export

            write_export(store, sys.stdout, fmt=args.format, where=where)  # streamed: never whole in memory
    except (ImportFormatError, RunNotFound, ConfigError) as err:  # the user's file or id, not the store, is at fault
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_STORE
    return 0


def _save_or_recover(result) -> tuple[int, int | None]:
    """Save a trained result: (exit status, its id). When the store cannot take it, write a recovery file and
    say so in one line."""
    from core.records.store import RunStore, StoreError
    from core.records.store_import import write_recovery_file

    try:
        return 0, RunStore().save(result)
    except StoreError as err:
        try:
            path = write_recovery_file(result)
            kept = f"The result was saved to {path}; `python -m core runs import {path}` adds it later."
        except OSError as os_err:
            kept = f"No recovery file could be written either ({os_err.strerror}); the result is printed below."
        print(f"error: the run is not in the history: {err} {kept}", file=sys.stderr)
        return EXIT_STORE, None


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
        from core.data.prepare import prepare
        from core.explore.estimate import describe, estimate_seconds
        from core.training.trainer import train

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
        status, run_id = (0, None) if args.no_save else _save_or_recover(result)
        if run_id is not None:
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
    return status
