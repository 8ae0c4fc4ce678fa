"""The `flowmart` command line: one module per command, each with ``register(subparsers)``.

User errors print one line naming the file and the reason and exit non-zero, never a traceback
(:mod:`flowmart.cli.output`).
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Nothing heavy is imported with the package: `python -m flowmart.cli` imports it before its __main__ exists,
# and pyspark (the `spark` extra; Great Expectations imports it when present) takes a __main__ without a file
# for a doctest run and exits. The commands' modules are imported by build_parser(), from main().

COMMANDS = (
    "pull",
    "land",
    "check",
    "build",
    "report",
    "forecast",
    "publish",
    "sql",
    "mappings",
    "forget",
    "generate",
    "demo",
    "dbt",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowmart",
        description="Flowmart: Flow Framework value-stream analytics from tracker exports (DuckDB + dbt + Dagster).",
    )
    parser.add_argument("--version", action="version", version="flowmart 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"flowmart.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from flowmart import pipeline
    from flowmart.cli.output import EXIT_USER_ERROR, UserError, error
    from flowmart.warehouse import DiskFull, Warehouse, disk_full_reason, is_disk_full

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (UserError, pipeline.StepFailed, DiskFull) as exc:
        error(str(exc))
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    except OSError as exc:
        if is_disk_full(exc):
            error(f"{Warehouse.at(getattr(args, 'db', None))}: the disk is full ({exc.filename or exc.strerror})")
            return EXIT_USER_ERROR
        name = exc.filename or ""
        error(f"{name}{': ' if name else ''}{exc.strerror or exc}")
        return EXIT_USER_ERROR
    except Exception as exc:  # a locked or unreadable warehouse file is a user-facing problem, not a crash
        import duckdb

        if not isinstance(exc, duckdb.Error):
            raise
        where = Warehouse.at(getattr(args, "db", None))
        if is_disk_full(exc):
            error(f"{where}: the disk is full ({disk_full_reason(exc)}); what was there before is kept")
            return EXIT_USER_ERROR
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        error(f"{where}: {first}")
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
