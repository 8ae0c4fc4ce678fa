"""Running the dbt project: one place that makes dbt's arguments, one function that runs it.

:func:`dbt_args` turns a dbt command and :class:`DbtSettings` (as_of, threads, memory, target) into the
whole argument list: the warehouse path, the tracker registry and the settings travel as ``--vars`` that
profiles.yml and the models read, so nothing is passed through the process environment.
:func:`run_dbt` runs it in-process (the CLI, the report, the docs site); the Dagster dbt asset hands the
same arguments to dagster-dbt's ``DbtCliResource`` (docs/adr/0003-one-way-to-run-dbt.md).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

from flowmart import settings, trackers
from flowmart.warehouse import Warehouse

# The scheduled build runs models, seeds and data tests, not dbt unit tests: their inputs are static, so
# they cannot fail on new data; `make test` runs them (docs/adr/0008-unit-tests-outside-the-scheduled-build.md).
PRODUCTION_BUILD_EXCLUDES = ["--exclude-resource-type", "unit_test"]


class DbtFailed(Exception):
    pass


def parse_as_of(text: str) -> str:
    """The var ``as_of`` from what a user typed: an ISO date or date and time (UTC; an offset is converted),
    written back as ``YYYY-MM-DD HH:MM:SS[.ffffff]``. Anything else raises ValueError with one line."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--as-of {text}: not a timestamp (e.g. '2026-06-30 23:59:59', UTC)") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(sep=" ", timespec="microseconds" if moment.microsecond else "seconds")


@dataclass(frozen=True)
class DbtSettings:
    """How one dbt invocation runs. Unset values follow the environment (:mod:`flowmart.settings`)."""

    as_of: str | None = None  # recompute as of this UTC time (var as_of); None = now
    threads: int | None = None
    memory_limit: str | None = None
    target: str | None = None  # a profiles.yml target; None = its default (duckdb)
    project_dir: Path = field(default_factory=lambda: settings.PROJECT_DIR)
    target_path: Path | None = None  # where dbt writes manifest, logs of compiled SQL (default: target/)
    extra_vars: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.as_of is not None:  # it is pasted into SQL by the models: only ever a parsed timestamp
            object.__setattr__(self, "as_of", parse_as_of(self.as_of))


def dbt_vars(warehouse: Warehouse, config: DbtSettings) -> dict:
    """The vars every invocation carries: the warehouse, the tracker registry, threads, memory, as_of."""
    values = {
        "flowmart_db": str(warehouse.path),
        "flowmart_trackers": trackers.dbt_var(),
        "flowmart_dbt_threads": config.threads or settings.dbt_threads(),
        "flowmart_memory_limit": config.memory_limit or settings.memory_limit(warehouse.path),
        **config.extra_vars,
    }
    if config.as_of:
        values["as_of"] = config.as_of
    return values


def dbt_args(command: Sequence[str], warehouse: Warehouse, config: DbtSettings | None = None) -> list[str]:
    """``dbt <command>`` against ``warehouse`` with ``config``, every flag explicit."""
    config = config or DbtSettings()
    args = [
        *command,
        "--vars",
        json.dumps(dbt_vars(warehouse, config)),
        "--project-dir",
        str(config.project_dir),
        "--profiles-dir",
        str(config.project_dir),
    ]
    if config.target:
        args += ["--target", config.target]
    if config.target_path:
        args += ["--target-path", str(config.target_path)]
    return args


OUT_OF_MEMORY = "Out of Memory Error"  # DuckDB's message when a query needs more than memory_limit


def invoke_dbt(warehouse: Warehouse | Path, command: Sequence[str], config: DbtSettings | None = None):
    """Run ``dbt <command>`` in-process against ``warehouse`` and return dbt's own result (success,
    exception, node results), whatever happened."""
    from dbt.cli.main import dbtRunner  # imported lazily: it is slow and only needed here

    warehouse = warehouse if isinstance(warehouse, Warehouse) else Warehouse(Path(warehouse))
    config = config or DbtSettings()
    warehouse.ensure_raw_schema()  # sources (raw tables, raw.quarantine) exist before anything landed
    args = [*dbt_args(command, warehouse, config), "--log-path", str(config.project_dir / "logs")]
    if not sys.stdout.isatty() and not {"--use-colors", "--no-use-colors"} & set(command):
        args.append("--no-use-colors")  # plain text in a file or a pipe, no escape codes
    try:
        return dbtRunner().invoke(args)
    finally:
        release_duckdb()


def run_dbt(warehouse: Warehouse | Path, command: Sequence[str], config: DbtSettings | None = None):
    """Run ``dbt <command>`` in-process against ``warehouse``; raise DbtFailed when it does not succeed.
    Returns dbt's result (the node results of a build)."""
    config = config or DbtSettings()
    if not config.memory_limit:  # fixed before dbt starts: the file grows while it builds
        path = warehouse.path if isinstance(warehouse, Warehouse) else Path(warehouse)
        config = replace(config, memory_limit=settings.memory_limit(path))
    result = invoke_dbt(warehouse, command, config)
    if result.exception is not None:
        raise DbtFailed(f"dbt {command[0]} could not run: {result.exception}")
    if not result.success:
        raise DbtFailed(
            f"dbt {command[0]} finished with errors (see the log above and {config.project_dir / 'logs'})"
            + _memory_hint(result, config.memory_limit)
        )
    return result.result


def _memory_hint(result, limit: str) -> str:
    """What to change when a node failed because DuckDB ran out of memory under its limit ``limit`` (ten
    million items fail under 3GB: docs/benchmarks.md, docs/adr/0079), else nothing."""
    messages = [getattr(node, "message", None) or "" for node in getattr(result.result, "results", None) or []]
    if not any(OUT_OF_MEMORY in message for message in messages):
        return ""
    return (
        f"; DuckDB ran out of memory within its limit of {limit}: raise FLOWMART_MEMORY_LIMIT "
        "(ten million items built with 12GB on a 24 GB machine)"
    )


def release_duckdb() -> None:
    """Close the DuckDB connection dbt-duckdb keeps for the life of the process.

    Without this the warehouse file stays open (and locked against other processes) after dbt returns,
    and this process cannot open it again with another configuration (e.g. read-only).
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def stale_incremental_tables(db: Path, project_dir: Path | None = None) -> dict[str, list[str]]:
    """Incremental models whose table in ``db`` lacks a column the model's YAML documents - a table an
    older Flowmart wrote: ``{model: [missing columns]}``. dbt would stop on them (``on_schema_change='fail'``:
    rows from the older version would have nulls in the new columns); rebuilding them from scratch once
    (``--full-refresh``) is the fix. Read from the project files, so it costs no dbt parse."""
    import yaml

    project_dir = project_dir or settings.PROJECT_DIR
    if not Path(db).exists():
        return {}
    incremental = {
        sql.stem
        for sql in (project_dir / "models").rglob("*.sql")
        if re.search(r"materialized\s*=\s*['\"]incremental['\"]", sql.read_text(encoding="utf-8"))
    }
    documented: dict[str, list[str]] = {}
    for yml in (project_dir / "models").rglob("*.yml"):
        for model in (yaml.safe_load(yml.read_text(encoding="utf-8")) or {}).get("models") or []:
            if model.get("name") in incremental:
                documented[model["name"]] = [c["name"] for c in model.get("columns") or []]
    stale: dict[str, list[str]] = {}
    with duckdb.connect(str(db)) as con:
        for name, columns in documented.items():
            existing = {
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns where table_name = ?", [name]
                ).fetchall()
            }
            missing = [c for c in columns if existing and c not in existing]
            if missing:
                stale[name] = missing
    return stale


def needs_full_refresh(db: Path, say: Callable[[str], None]) -> bool:
    """True when an incremental table in ``db`` was written by an older Flowmart
    (:func:`stale_incremental_tables`); says one line per such table. The build then adds
    ``--full-refresh`` once instead of letting dbt stop on the schema change."""
    stale = stale_incremental_tables(db)
    for name, missing in stale.items():
        say(
            f"{name}: written by an older Flowmart (no column {', '.join(missing)}); "
            "rebuilding the incremental models from scratch once (--full-refresh)"
        )
    return bool(stale)


def rows_set_aside_since_last_build(db: Path) -> int:
    """Raw rows moved to raw.quarantine since the last complete build that had been landed before it: the
    incremental models may still hold them (a Jira key taken over by a newer issue id, a file set aside by
    hand), and they only rewrite items with newly landed rows, so the next build starts them from scratch."""
    if not Path(db).exists():
        return 0
    with duckdb.connect(str(db)) as con:
        tables = {
            r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()
        }
        if not {"quarantine", "build_log"} <= tables:
            return 0
        return con.execute(
            """
            with last_build as (
                select max(started_at) as started_at from raw.build_log where status = 'complete'
            )
            select count(*)
            from raw.quarantine, last_build
            where quarantine.quarantined_at > last_build.started_at
                and quarantine.landed_at <= last_build.started_at
            """
        ).fetchone()[0]


def build_command(
    warehouse: Warehouse, full_refresh: bool = False, select: str | None = None, say: Callable[[str], None] = print
) -> list[str]:
    """The production ``dbt build``: models, seeds and data tests (no unit tests); ``--full-refresh``
    when asked or when an incremental table is from an older Flowmart."""
    command = ["build", *PRODUCTION_BUILD_EXCLUDES]
    set_aside = 0 if full_refresh else rows_set_aside_since_last_build(warehouse.path)
    if set_aside:
        say(
            f"{set_aside:,} raw row(s) built before were set aside since the last build: rebuilding the incremental "
            "models from scratch (--full-refresh)"
        )
    if full_refresh or set_aside or needs_full_refresh(warehouse.path, say):
        command.append("--full-refresh")
    if select:
        command += ["--select", select]
    return command
