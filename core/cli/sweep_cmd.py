"""``sweep``: the grid from the flags, the run, the frontier as a table, JSON or CSV."""

from __future__ import annotations

import argparse
import json
import os
import sys

from core.cli.args import (
    EXIT_NO_TRIAL,
    LOSS_METRICS,
    SWEEP_METRICS,
    _fmt,
    check_csv,
    check_knobs,
    csv_changes,
    dataset_from_args,
)
from core.config import DataConfig, ModelConfig, ModelKind
from core.errors import ConfigError
from core.explore.ray_connect import check_address


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
        data_changes.update(csv_changes(args))
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
    from core.explore.executors import pooled_runner
    from core.explore.sweeps import expand_grid
    from core.models.keras_import import wanted_backend
    from core.training.worker import EnginePools

    engines = {wanted_backend(t.model) for t in expand_grid(spec) if t.model.kind.uses_keras}
    if executor != "serial" or len(engines) < 2:
        return None, None
    pools = EnginePools(keras_max_size=1, light_max_size=1)
    return pooled_runner(pools.pool_for), pools


def run_sweep_command(args: argparse.Namespace) -> int:
    import csv

    from core.explore.executors import run_sweep
    from core.explore.sweeps import expand_grid

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
