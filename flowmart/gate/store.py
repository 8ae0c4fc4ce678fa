"""What the gate writes to the warehouse (schema ``raw``, next to what it judges; tables in
:mod:`flowmart.warehouse`).

``raw.quarantine`` — one row per raw row the gate moved out of its raw table. Staging reads the raw
tables only, so a quarantined row is out of staging and every landed row is in exactly one place.

| column | meaning |
|---|---|
| run_id | the gate run that moved the row (``raw.validation_results.run_id``) |
| quarantined_at | when (UTC) |
| source_table | the raw table the row came from (``csv_status_changes``, ``jira_issues``, ...) |
| source_file, file_hash, record_position, landed_at | the row's lineage, as in the raw table |
| expectation | the first failed check, ``<suite>.<check>`` (e.g. ``csv__status_changes.changed_at_present``) |
| failed_expectations | every failed check of the row |
| severity | ``quarantine`` (or ``manual`` for ``flowmart check --quarantine-file``) |
| message | the first failed check's sentence |
| record | the raw row as landed, every column, as JSON |

``raw.validation_results`` — one row per expectation per gate run, with the files it failed in.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import duckdb

from flowmart import trackers
from flowmart.gate.outcomes import GateReport
from flowmart.warehouse import ensure_raw_schema


def move_to_quarantine(
    con: duckdb.DuckDBPyConnection, table: str, selection: str, run_id: str, severity: str = "quarantine"
) -> int:
    """Move the rows of ``raw.<table>`` named by ``selection`` into raw.quarantine.

    ``selection`` is a relation with columns (file_hash, record_position, expectation,
    failed_expectations, message). The caller owns the transaction.
    """
    con.execute(
        f"""
        insert into raw.quarantine
        select
            ?, now()::timestamptz, ?,
            t._source_file, t._file_hash, t._record_position, t._landed_at,
            s.expectation, s.failed_expectations, ?, s.message,
            to_json(t)
        from raw.{table} as t
        inner join {selection} as s
            on t._file_hash = s.file_hash
            and t._record_position = s.record_position
        """,
        [run_id, table, severity],
    )
    moved = con.execute(
        f"""
        delete from raw.{table} as t
        using {selection} as s
        where t._file_hash = s.file_hash
            and t._record_position = s.record_position
        """
    ).fetchone()[0]
    return moved


def quarantine_files(con: duckdb.DuckDBPyConnection, paths: list[str], run_id: str | None = None) -> dict[str, int]:
    """Move every raw row of the landed files ``paths`` to raw.quarantine (``flowmart check --quarantine-file``):
    the way to set aside a landed file that fails a critical check. Returns rows moved per table."""
    ensure_raw_schema(con)
    run_id = run_id or str(uuid.uuid4())
    moved: dict[str, int] = {}
    resolved = [str(Path(p).expanduser().resolve()) for p in paths]
    con.execute("begin transaction")
    try:
        for table in trackers.raw_tables():
            con.execute(
                f"""
                create or replace temp table _gate_manual as
                select
                    _file_hash as file_hash,
                    _record_position as record_position,
                    'manual.quarantine_file' as expectation,
                    ['manual.quarantine_file'] as failed_expectations,
                    'set aside by hand (flowmart check --quarantine-file)' as message
                from raw.{table.name}
                where _source_file in (select unnest(?::varchar[]))
                """,
                [resolved],
            )
            n = move_to_quarantine(con, table.name, "_gate_manual", run_id, severity="manual")
            if n:
                moved[table.name] = n
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute("drop table if exists _gate_manual")
    return moved


def record_results(con: duckdb.DuckDBPyConnection, report: GateReport) -> None:
    rows = [
        (
            report.run_id,
            report.run_at,
            o.suite,
            o.table,
            o.name,
            o.expectation_type,
            o.column,
            o.severity,
            o.success,
            o.element_count,
            o.unexpected_count,
            (100.0 * o.unexpected_count / o.element_count) if o.element_count else None,
            o.message if not o.error else f"{o.message} (could not be evaluated: {o.error})",
            json.dumps(o.examples, default=str) if o.examples else None,
            report.applied,
            json.dumps(o.files) if o.files else None,
        )
        for o in report.outcomes
    ]
    if rows:
        con.executemany(
            "insert into raw.validation_results (run_id, run_at, suite, source_table, expectation, expectation_type, "
            "column_name, severity, success, element_count, unexpected_count, unexpected_percent, message, examples, "
            "applied, files) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
