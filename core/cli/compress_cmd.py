"""``compress``: its parser (the train flags plus the methods), the run and the stored variants."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from core.cli.args import (
    _DATA_FLAGS,
    _MODEL_FLAGS,
    EXIT_STORE,
    _ProgressBar,
)
from core.cli.train_cmd import configs_from_args
from core.errors import ConfigError

if TYPE_CHECKING:
    from core.records.store import StoredRun


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
        status = _save_variants(report, out, run if args.run is not None else None, store)
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


def _save_variants(report, out: dict, parent: StoredRun | None, store) -> int:
    """Store the original (when it was trained from flags) and every variant linked to it; ids go into ``out``.
    What the store refuses is kept in ``~/.tradeoff_lab/unsaved/`` (``runs import --unsaved`` adds it, linked)."""
    import uuid

    from core.compress.runner import variant_run
    from core.records.keep import keep_in_file, refusal, save_or_keep
    from core.records.store import RunStore, StoreError
    from core.records.unsaved import Unsaved

    parent_uuid = parent.uuid if parent is not None else str(uuid.uuid4())
    runs = [] if parent is not None else [Unsaved(report.parent, uuid=parent_uuid)]
    batch = str(uuid.uuid4())
    by_label = {v.method: v for v in report.variants}
    for row in out["variants"]:
        v = by_label[row["method"]]
        result = variant_run(report, v) if v.status == "complete" else None
        info = {**row, "batch": batch, "model": out["model"], "original": out["original"]}
        runs.append(Unsaved.variant(result, info, parent=parent_uuid))
    try:
        store = store or RunStore()
    except StoreError as err:
        path, problem = keep_in_file(runs, kind="compress")
        return _refused(out, refusal(err) + problem, path)
    saved = save_or_keep(store, runs, kind="compress")
    if saved.store_error is not None:
        return _refused(out, saved.store_error, saved.recovery_path)
    ids = saved.ids
    out["parent_id"], out["variant_ids"] = (parent.id, ids) if parent is not None else (ids[0], ids[1:])
    return 0


def _refused(out: dict, problem: str, path: str | None) -> int:
    """Say the variants are not in the history (stderr, and ``out["not_saved"]`` for the Compress page)."""
    out["not_saved"] = {"problem": problem, "kept_in": path}
    kept = f" They were saved to {path}; `python -m core runs import --unsaved` adds them later." if path else ""
    print(f"error: the variants are not in the history: {problem}{kept}", file=sys.stderr)
    return EXIT_STORE
