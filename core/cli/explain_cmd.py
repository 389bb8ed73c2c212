"""``explain``: global importance (and per-group metrics) of a stored run or of train flags."""

from __future__ import annotations

import argparse
import json
import sys

from core.cli.train_cmd import configs_from_args
from core.errors import ConfigError


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
