"""``runs list|show|export|import|delete``: the run history."""

from __future__ import annotations

import argparse
import json
import sys

from core.cli.args import (
    EXIT_STORE,
    EXIT_USAGE,
    MAX_LIST,
    _run_filter,
)
from core.cli.train_cmd import format_table
from core.errors import ConfigError


def run_runs_command(args: argparse.Namespace) -> int:
    from core.records.store import RunNotFound, RunStore, StoreError  # the checkers load only for import/export

    try:
        if args.runs_command == "list" and not 1 <= args.limit <= MAX_LIST:
            raise ConfigError(f"--limit must be an integer in [1, {MAX_LIST}]. Got {args.limit}.")
        if args.runs_command == "list" and args.offset < 0:
            raise ConfigError(f"--offset must be an integer ≥ 0. Got {args.offset}.")
        where = _run_filter(args) if args.runs_command in ("list", "export") else None
        if args.runs_command == "import" and bool(args.files) == bool(args.unsaved):
            raise ConfigError("runs import takes FILE... or --unsaved (the runs the store could not save), not both.")
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
        elif args.runs_command == "import" and args.unsaved:
            from core.records.store_import import import_unsaved

            outcome = import_unsaved(store)  # all or nothing; the files then move to unsaved/imported/
            print(outcome)
            if outcome.refused:  # named above and set aside; the others are imported
                return EXIT_USAGE
        elif args.runs_command == "import":
            from core.records.store_import import import_files

            print(import_files(store, args.files))  # several files: checked in worker processes, one transaction
        elif args.runs_command == "delete":
            for run_id in args.ids:
                store.get(run_id)  # every id must exist before any is deleted
            for run_id in args.ids:
                store.delete(run_id)
            print(f"Deleted {len(args.ids)} run(s).")
        else:
            from core.records.store_import import write_export

            write_export(store, sys.stdout, fmt=args.format, where=where)  # streamed: never whole in memory
    except (RunNotFound, ConfigError) as err:  # the user's id, not the store, is at fault
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as err:
        from core.records.run_schema import ImportFormatError

        stay = " The files in the unsaved folder stay where they are." if getattr(args, "unsaved", False) else ""
        print(f"error: {err}{stay}", file=sys.stderr)
        return EXIT_USAGE if isinstance(err, ImportFormatError) else EXIT_STORE  # a bad file is the user's
    return 0
