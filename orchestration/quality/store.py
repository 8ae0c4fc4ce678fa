"""The gate's tables in the warehouse (schema ``raw``, next to what they judge).

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

``raw.validation_results`` — one row per expectation per gate run.
"""

from __future__ import annotations

import duckdb

QUARANTINE_DDL = """
create table if not exists raw.quarantine (
    run_id varchar not null,
    quarantined_at timestamptz not null,
    source_table varchar not null,
    source_file varchar not null,
    file_hash varchar not null,
    record_position bigint not null,
    landed_at timestamptz,
    expectation varchar not null,
    failed_expectations varchar[] not null,
    severity varchar not null,
    message varchar not null,
    record json not null
)
"""

VALIDATION_RESULTS_DDL = """
create table if not exists raw.validation_results (
    run_id varchar not null,
    run_at timestamptz not null,
    suite varchar not null,
    source_table varchar not null,
    expectation varchar not null,
    expectation_type varchar not null,
    column_name varchar,
    severity varchar not null,
    success boolean not null,
    element_count bigint not null,
    unexpected_count bigint not null,
    unexpected_percent double,
    message varchar not null,
    examples json,
    applied boolean not null
)
"""


def ensure_quality_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(QUARANTINE_DDL)
    con.execute(VALIDATION_RESULTS_DDL)


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
