"""The input quality gate: Great Expectations suites on every raw table, quarantine instead of loss.

:func:`run_gate` validates what ``flowmart land`` put in the ``raw`` schema:

1. per raw table with a suite (the tracker registry names it), the suite's frame - one row per raw row
   with what its checks read, streamed from the raw table a rowid range at a time for a declared suite -
   is validated chunk by chunk (:mod:`flowmart.gate.validation`);
2. the file-level suite (``raw__landing_log``) checks every landed file: refused at landing, rows
   reconcile (raw + quarantine = rows landed), not every row failing, not empty;
3. severities decide: any failed *critical* expectation fails the gate and nothing is moved; else the
   rows failing *quarantine* expectations move from their raw table to ``raw.quarantine`` (one
   transaction, together with the results); *warnings* are reported only;
4. every expectation's outcome is kept in ``raw.validation_results``; GX Data Docs go to ``docs_dir``.

Pure of any CLI concern: it takes a DuckDB connection and returns a :class:`GateReport`.
"""

from __future__ import annotations

import importlib
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import duckdb
import pandas as pd

from expectations.shared import QUARANTINE, GateSettings
from flowmart import settings as flowmart_settings
from flowmart import trackers
from flowmart.gate.data_docs import build_data_docs
from flowmart.gate.mappings import load_mappings
from flowmart.gate.outcomes import CheckOutcome, GateReport
from flowmart.gate.scope import SCOPE_TABLE, Scope, checks_fingerprint
from flowmart.gate.store import move_to_quarantine, record_results
from flowmart.gate.validation import (
    DEFAULT_CHUNK_ROWS,
    attach_examples,
    create_frame,
    frame_tables,
    gx_context,
    stream_frame,
    validate_frame,
)
from flowmart.warehouse import ensure_raw_schema

FILE_SUITE = "expectations.raw__landing_log"


def row_suites() -> tuple[str, ...]:
    """The suite modules of the registered trackers' raw tables."""
    return tuple(t.suite for t in trackers.raw_tables() if t.suite)


def suite_module(name: str) -> ModuleType:
    return importlib.import_module(name)


def _quietly(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Clean up after an error without hiding it (a database invalidated by a full disk refuses everything)."""
    try:
        con.execute(sql)
    except duckdb.Error:
        pass


def quarantine_children(con: duckdb.DuckDBPyConnection, frames: dict[str, str]) -> list[str]:
    """Add to ``_gate_q_rows`` the rows that belong to a row quarantined in their parent table (a Jira issue's
    embedded changelog items follow it), under the parent's expectation; returns the child tables besides
    ``frames`` that now have rows to move."""
    extra = []
    for table in trackers.raw_tables():
        if table.parent is None or table.parent[0] not in frames:
            continue
        parent, column = table.parent
        added = con.execute(
            f"""
            insert into _gate_q_rows
            select
                '{table.name}',
                c._file_hash,
                c._record_position,
                p.expectation,
                p.failed_expectations,
                'belongs to a quarantined {parent} row: ' || p.message
            from raw.{table.name} as c
            inner join _gate_q_rows as p
                on p.source_table = '{parent}'
                and c._file_hash = p.file_hash
                and c.{column} = p.record_position
            where not exists (
                select 1 from _gate_q_rows as x
                where x.source_table = '{table.name}'
                    and x.file_hash = c._file_hash
                    and x.record_position = c._record_position
            )
            """
        ).fetchone()[0]
        if added and table.name not in frames:
            extra.append(table.name)
    return extra


def run_gate(
    con: duckdb.DuckDBPyConnection,
    settings: GateSettings | None = None,
    seeds_dir: Path | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    apply: bool = True,
    docs_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    full: bool = False,
) -> GateReport:
    """Validate every raw table's rows from the files landed since the last passed run (every landed file
    when ``full``, or when the checks changed: :mod:`flowmart.gate.scope`); quarantine row-level failures unless a critical check failed.

    ``apply=False`` validates and records results without moving anything (a dry run).

    While it runs, DuckDB's memory is capped (``FLOWMART_MEMORY_LIMIT``, else 3GB, at most half the machine:
    :func:`flowmart.settings.gate_memory_limit`): the lookups (and the
    frames of undeclared suites) are temp tables, and DuckDB spills them to disk instead of holding them in
    memory next to the pandas chunks.
    """
    previous = con.execute("select current_setting('memory_limit')").fetchone()[0]
    con.execute(f"set memory_limit = '{flowmart_settings.gate_memory_limit()}'")
    try:
        return _run_gate(con, settings, seeds_dir, chunk_rows, apply, docs_dir, progress, full)
    finally:
        con.execute(f"set memory_limit = '{previous}'")


def _run_gate(
    con: duckdb.DuckDBPyConnection,
    settings: GateSettings | None,
    seeds_dir: Path | None,
    chunk_rows: int,
    apply: bool,
    docs_dir: Path | None,
    progress: Callable[[str], None] | None,
    full: bool,
) -> GateReport:
    started = time.perf_counter()
    settings = settings or GateSettings()
    seeds_dir = seeds_dir or flowmart_settings.PROJECT_DIR / "seeds"
    say = progress or (lambda _text: None)
    run_id = str(uuid.uuid4())
    run_at = datetime.now(UTC)
    ensure_raw_schema(con)
    mappings = load_mappings(con, seeds_dir)
    context, batch_definition = gx_context()

    outcomes: list[CheckOutcome] = []
    rows_checked: dict[str, int] = {}
    suites = {}
    frames: dict[str, str] = {}
    lookups: dict[str, dict[str, str]] = {}  # a streamed frame's lookup tables, by frame
    planned = [(module, module.build_suite(mappings, settings)) for module in map(suite_module, row_suites())]
    file_module = suite_module(FILE_SUITE)
    main_table = {name: kind.table for name, kind in trackers.kinds().items()}
    suited = {t.name for t in trackers.raw_tables() if t.suite}
    guarded = sorted(name for name, table in main_table.items() if table in suited)
    file_suite = file_module.build_suite(mappings, settings, guarded)
    fingerprint = checks_fingerprint(
        settings, [m for m, _ in planned] + [file_module], [s for _, s in planned] + [file_suite], seeds_dir
    )
    scope = Scope.create(con, fingerprint, full)
    say(scope.describe())
    con.execute(
        "create or replace temp table _gate_q (source_table varchar, row_ref bigint, ordinal integer, "
        "expectation varchar, message varchar)"
    )
    for module, planned_suite in planned:
        table, frame = module.TABLE, f"_gate_frame_{module.TABLE}"
        say(f"{module.SUITE_NAME}: preparing the frame")
        parts = scope.frame_parts(module, settings)
        if parts is None:
            rows = create_frame(con, frame, scope.frame_sql(module, settings))
            refs = range(rows)
        else:
            rows, refs = stream_frame(con, frame, *parts)
            lookups[frame] = parts[0]
        rows_checked[table] = rows
        suite = context.suites.add(planned_suite)
        suites[module.SUITE_NAME] = suite
        frames[table] = frame
        say(f"{module.SUITE_NAME}: validating {rows:,} rows")
        table_outcomes = validate_frame(con, batch_definition, suite, table, frame, refs, chunk_rows)
        raw_columns = {r[0] for r in con.execute(f"describe {frame}").fetchall()}
        for outcome in table_outcomes:
            attach_examples(con, outcome, frame, raw_columns)
            if outcome.severity == QUARANTINE and outcome.refs:
                refs = pd.DataFrame({"row_ref": pd.Series(outcome.refs, dtype="int64")})
                con.register("_gate_refs", refs)
                con.execute(
                    "insert into _gate_q select ?, row_ref, ?, ?, ? from _gate_refs",
                    [table, outcome.ordinal, outcome.name, outcome.message],
                )
                con.unregister("_gate_refs")
        outcomes += table_outcomes

    # the rows to quarantine, one per raw row with every check it failed
    per_table = [
        f"""
        select
            '{table}' as source_table,
            f._file_hash as file_hash,
            f._record_position as record_position,
            first(q.expectation order by q.ordinal) as expectation,
            list(q.expectation order by q.ordinal) as failed_expectations,
            first(q.message order by q.ordinal) as message
        from _gate_q as q
        inner join {frame} as f
            on q.row_ref = f._row_ref
        where q.source_table = '{table}'
        group by all
        """
        for table, frame in frames.items()
    ]
    con.execute("create or replace temp table _gate_q_rows as " + " union all ".join(per_table))
    moving = [*frames, *quarantine_children(con, frames)]
    con.execute(
        "create or replace temp table _gate_to_quarantine as "
        "select source_table, file_hash, count(*) as rows from _gate_q_rows group by all"
    )

    # file level: every landed file (one row each; rows still reconcile for the files validated before)
    file_frame = "_gate_frame_landing_log"
    files = create_frame(con, file_frame, file_module.frame_sql(settings, main_table, guarded))
    # a refused file that is no longer where it was (moved away, deleted) no longer blocks
    gone = [
        path
        for (path,) in con.execute(f"select file_path from {file_frame} where refusal_reason is not null").fetchall()
        if not Path(path).exists()
    ]
    if gone:
        con.execute(
            f"update {file_frame}_rows set refusal_reason = null where file_path in (select unnest(?::varchar[]))",
            [gone],
        )
    rows_checked["landing_log"] = files
    file_suite = context.suites.add(file_suite)
    suites[file_module.SUITE_NAME] = file_suite
    say(f"{file_module.SUITE_NAME}: validating {files:,} files")
    file_outcomes = validate_frame(
        con, batch_definition, file_suite, "landing_log", file_frame, range(files), chunk_rows
    )
    raw_columns = {r[0] for r in con.execute(f"describe {file_frame}").fetchall()}
    for outcome in file_outcomes:
        attach_examples(con, outcome, file_frame, raw_columns)
    outcomes += file_outcomes

    report = GateReport(run_id, run_at, outcomes, rows_checked, {}, applied=False, scope=scope.summary())
    apply_now = apply and not report.failed
    con.execute("begin transaction")
    try:
        if apply_now:
            for table in moving:
                selection = f"(select * from _gate_q_rows where source_table = '{table}')"
                moved = move_to_quarantine(con, table, selection, run_id)
                if moved:
                    report.quarantined[table] = moved
            scope.record(con, run_id)
        report.applied = apply_now
        record_results(con, report)
        con.execute("commit")
    except BaseException:
        _quietly(con, "rollback")  # a full disk has already ended the transaction: the first error is the one
        raise
    finally:
        for frame in [*frames.values(), file_frame]:
            _quietly(con, f"drop view if exists {frame}")
            for temp in frame_tables(frame, lookups.get(frame, {})):
                _quietly(con, f"drop table if exists {temp}")
        for table in ["_gate_q", "_gate_q_rows", "_gate_to_quarantine", SCOPE_TABLE]:
            _quietly(con, f"drop table if exists {table}")

    if docs_dir is not None:
        say("writing Data Docs")
        report.data_docs = build_data_docs(context, suites, report, Path(docs_dir))
    report.seconds = time.perf_counter() - started
    return report
