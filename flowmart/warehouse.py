"""The warehouse: one DuckDB work file, its raw schema, and the rule of one writer at a time.

:class:`Warehouse` is what every step is handed (landing, the gate, dbt, the report, publishing): its path,
connections to it, and :meth:`Warehouse.writing`, the advisory lock a writing step holds so that two
Flowmart processes never write it at once (a landing started during a build waits for the build).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flowmart import settings, trackers

LANDING_LOG_DDL = """
create table if not exists raw.landing_log (
    landing_id varchar not null,
    file_path varchar not null,
    file_hash varchar,
    file_bytes bigint,
    kind varchar,
    status varchar not null,      -- landed | skipped | refused
    reason varchar,
    rows bigint not null,
    started_at timestamptz not null,
    finished_at timestamptz not null
)
"""

# rows each landed file put in each raw table: rows landed = rows still in raw + rows in raw.quarantine
LANDED_ROWS_DDL = """
create table if not exists raw.landed_rows (
    file_hash varchar not null,
    source_table varchar not null,
    rows bigint not null
)
"""

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
    applied boolean not null,
    files json
)
"""

# one row per landed file a passed gate run validated, under the fingerprint of its checks (flowmart/gate/scope.py)
GATE_FILES_DDL = """
create table if not exists raw.gate_files (
    file_hash varchar not null,
    fingerprint varchar not null,  -- the checks' digest: a file counts as validated only under the same checks
    run_id varchar not null,       -- the passed gate run (raw.validation_results.run_id)
    validated_at timestamptz not null
)
"""

# one row per dbt build (flowmart/pipeline.py): publishing takes only a complete build of everything as of now
BUILD_LOG_DDL = """
create table if not exists raw.build_log (
    build_id varchar not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null,      -- running | complete | failed
    gate_run_id varchar,          -- the gate run that passed before it (null: the gate was skipped)
    as_of varchar,                -- set: built as of a past moment
    selection varchar,            -- set: only these nodes were built
    full_refresh boolean not null
)
"""

# one row per pulled query (flowmart/pull): where the next incremental pull starts
SYNC_STATE_DDL = """
create table if not exists raw.sync_state (
    source varchar not null,          -- jira | github
    instance varchar not null,        -- Jira site host, GitHub owner/repo
    query varchar not null,           -- the JQL (without the cursor clause) or the repository
    cursor varchar,                   -- the newest `updated` seen (UTC, ISO); null before the first pull
    last_run_at timestamptz not null,
    pages integer not null,           -- pages fetched by the last run
    items integer not null,           -- items in them
    export_dir varchar not null       -- where the last run wrote its pages
)
"""

LOCK_MESSAGES = ("could not set lock on file", "conflicting lock is held")
DISK_FULL_MESSAGES = ("no space left on device", "disk is full", "not enough space")


class DiskFull(Exception):
    """The disk under the warehouse (or its temp folder) is full; the message is one line for the user."""


def is_lock_error(error: BaseException | str) -> bool:
    """True when ``error`` is DuckDB refusing the file because another process holds its lock."""
    text = str(error).lower()
    return any(message in text for message in LOCK_MESSAGES)


def is_disk_full(error: BaseException) -> bool:
    """True when ``error`` (DuckDB's or the OS's) says the disk is full."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    text = str(error).lower()
    return any(message in text for message in DISK_FULL_MESSAGES)


def disk_full_reason(error: BaseException) -> str:
    """The part of a disk-full error worth one line (which file DuckDB could not write, and why)."""
    for line in str(error).splitlines():
        if any(message in line.lower() for message in DISK_FULL_MESSAGES):
            return re.sub(r"^[A-Za-z ]*Error: ", "", line.strip())[:200]
    return "No space left on device"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The raw schema: every registered tracker's tables, the landing log, the gate's tables.

    dbt's sources (and fct_data_quality) read them, so they exist before anything was landed.
    """
    con.execute("create schema if not exists raw")
    for table in trackers.raw_tables():
        con.execute(table.ddl())
        # the columns before the migrations, so a backfill runs only for a column they added (read only for
        # the tables that have backfills: every command runs this)
        before = _column_names(con, table.name) if table.backfills else set()
        for migration in table.migrations():
            con.execute(migration)
        if table.backfills:
            for backfill in table.backfill_sql(_column_names(con, table.name) - before):
                con.execute(backfill)
    con.execute(LANDING_LOG_DDL)
    # the file's modification time when it landed: with its path and size, a file landed before is known
    # without reading it again (docs/adr/0074)
    con.execute("alter table raw.landing_log add column if not exists file_mtime_ns bigint")
    con.execute(QUARANTINE_DDL)
    con.execute(VALIDATION_RESULTS_DDL)
    con.execute("alter table raw.validation_results add column if not exists files json")
    con.execute(GATE_FILES_DDL)
    con.execute(BUILD_LOG_DDL)
    con.execute(SYNC_STATE_DDL)
    has_landed_rows = con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'landed_rows'"
    ).fetchone()[0]
    if not has_landed_rows:
        con.execute(LANDED_ROWS_DDL)
        _backfill_landed_rows(con)


def _column_names(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() "
            "where database_name = current_database() and schema_name = 'raw' and table_name = ?",
            [table],
        ).fetchall()
    }


def _backfill_landed_rows(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse landed by an older Flowmart: count what its files put in raw (kept or quarantined)."""
    parts = [
        f"select _file_hash as file_hash, '{t.name}' as source_table, count(*) as rows from raw.{t.name} group by all"
        for t in trackers.raw_tables()
    ]
    parts.append("select file_hash, source_table, count(*) from raw.quarantine group by all")
    con.execute(
        "insert into raw.landed_rows select file_hash, source_table, sum(rows) from ("
        + " union all ".join(parts)
        + ") group by all"
    )


_held: dict[Path, list] = {}  # lock file -> [open file, depth]: the lock is re-entrant within a process
_held_guard = threading.Lock()


@dataclass(frozen=True)
class Warehouse:
    path: Path

    @classmethod
    def at(cls, explicit: str | os.PathLike | None = None) -> Warehouse:
        """The warehouse at ``explicit``, else $FLOWMART_DB, else ./warehouse/flowmart.duckdb."""
        return cls(settings.db_path(explicit))

    def __str__(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        return self.path.is_file()

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection (use it in a ``with`` block). A new warehouse is created readable by its owner only
        (it keeps tracker data, names and emails among it, in raw): the file 0600, a folder Flowmart creates
        0711 (others may pass through it to published/, not list or read it)."""
        if read_only:
            return duckdb.connect(str(self.path), read_only=True)
        self._ensure_folder()
        new = not self.path.exists()
        con = duckdb.connect(str(self.path))
        if new:
            self.path.chmod(0o600)
        return con

    def _ensure_folder(self) -> None:
        if not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.parent.chmod(0o711)

    def ensure_raw_schema(self) -> None:
        with self.connect() as con:
            ensure_raw_schema(con)

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(f".{self.path.name}.lock")

    @contextlib.contextmanager
    def writing(self, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the writer lock: another Flowmart process that wants to write waits until it is released
        (``on_wait`` hears one line when it has to). Re-entrant within a process, so a step may call
        another that takes it too."""
        key = self.lock_path.resolve()
        with _held_guard:
            entry = _held.get(key)
            if entry:
                entry[1] += 1
        if entry is None:
            self._ensure_folder()
            handle = key.open("a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait:
                    on_wait(f"{self.path}: another Flowmart process is writing it; waiting for it to finish")
                fcntl.flock(handle, fcntl.LOCK_EX)
            with _held_guard:
                _held[key] = entry = [handle, 1]
        try:
            yield
        finally:
            with _held_guard:
                entry[1] -= 1
                release = entry[1] == 0
                if release:
                    del _held[key]
            if release:
                fcntl.flock(entry[0], fcntl.LOCK_UN)
                entry[0].close()
