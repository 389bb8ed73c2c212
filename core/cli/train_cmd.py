"""``train`` and ``cv``: configurations from the flags, the result table, saving (or a recovery file)."""

from __future__ import annotations

import argparse
import json
import sys

from core.cli.args import (
    _DATA_FLAGS,
    _MODEL_FLAGS,
    EXIT_STORE,
    _fmt,
    _ProgressBar,
    check_csv,
    check_knobs,
    csv_changes,
    dataset_from_args,
)
from core.config import DataConfig, ModelConfig
from core.errors import ConfigError
from core.presets import get_preset


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
    decisions = [c for c in result.dataset.get("columns", ()) if c.get("note")]
    lines += [f"column: {c['note']}" for c in decisions]
    if decisions:
        lines.append("(--keep COLUMN uses a column left out or a date as text; --drop COLUMN leaves one out)")
    return "\n".join(lines)


def _claim_line(args: argparse.Namespace, result, run_id: int) -> None:
    """After a preset with a published claim ran exactly as defined, say how this machine compares."""
    from core.presets import claim_check

    preset = get_preset(args.preset) if args.preset else None
    if preset is None or preset.claimed_test_accuracy is None or result.stopped:
        return
    if (result.data_config, result.model_config) == (preset.data, preset.model):
        print(claim_check(preset, (run_id, result)), file=sys.stderr)


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
        data_changes.update(csv_changes(args))
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


def _save_or_recover(result) -> tuple[int, int | None]:
    """Save a trained result: (exit status, its id). When the store cannot take it, write a recovery file and
    say so in one line."""
    from core.records.keep import keep_in_file
    from core.records.store import RunStore, StoreError

    try:
        return 0, RunStore().save(result)
    except StoreError as err:
        path, problem = keep_in_file(result)
        kept = (
            f"The result was saved to {path}; `python -m core runs import --unsaved` adds it later."
            if path
            else f"{problem.strip()} The result is printed below."
        )
        print(f"error: the run is not in the history: {err} {kept}", file=sys.stderr)
        return EXIT_STORE, None


def run_train_command(args: argparse.Namespace) -> int:
    from core.data.prepare import prepare
    from core.explore.estimate import describe, estimate_for_data
    from core.training.trainer import train

    data_cfg, model_cfg = configs_from_args(args)
    data = prepare(data_cfg)
    estimate = estimate_for_data(model_cfg, data)
    print(f"estimated training time {describe(estimate)} ({estimate.basis})", file=sys.stderr)
    result = train(data_cfg, model_cfg, callback=_ProgressBar(), prepared=data, estimate_s=estimate.seconds)
    status, run_id = (0, None) if args.no_save else _save_or_recover(result)
    if run_id is not None:
        print(f"saved as run {run_id}: `python -m core runs show {run_id}`, or History in the app", file=sys.stderr)
        _claim_line(args, result, run_id)
    print(json.dumps(result.to_dict(), indent=1) if args.json else format_table(result))
    return status
