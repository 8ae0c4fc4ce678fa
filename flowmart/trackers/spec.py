"""What a tracker module declares: its raw tables, the kinds of files it lands, how they are recognised,
its expectation suites and the dbt models that give its work items and status changes.

Every tracker module (:mod:`flowmart.trackers.jira`, ``csv``, ``github``, ...) defines one
``TRACKER = Tracker(...)``; :mod:`flowmart.trackers` lists them. The landing code, the quality gate, the
CLI, the Dagster assets and the dbt unions read that registry and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

LINEAGE_DDL = """
    _source_file varchar not null,
    _file_hash varchar not null,
    _record_position bigint not null,
    _landed_at timestamptz not null
"""


class RefusedFile(Exception):
    """A file that cannot be landed; the message is the one-line reason shown to the user."""


@dataclass(frozen=True)
class KindSql:
    """The set-based SQL that lands one kind of JSON file from the temp table ``_doc(doc, pos, _source_file,
    _file_hash, _issue_ref)``. Named parameters ($source_file, $file_hash, $instance, $issue_ref) carry
    lineage and hints."""

    precheck: str | None  # runs before prepare: the document's overall shape; rows (reason, ...) or none
    prepare: tuple[str, ...]
    validate: str  # rows whose first column is a refusal reason (batchable kinds: (reason, _source_file))
    inserts: tuple[str, ...]  # the first one fills the kind's main table
    temp_tables: tuple[str, ...] = ()  # the temp tables prepare creates (dropped after every file)


# (con, path to read, sha256, header, instance, path to record as _source_file) -> rows landed in the kind's
# table; raises RefusedFile
CsvLander = Callable[[duckdb.DuckDBPyConnection, Path, str, list[str], "str | None", str], int]


@dataclass(frozen=True)
class Kind:
    """One kind of export file. ``name`` is what raw.landing_log records; ``table`` is the raw table whose
    row count is the file's record count."""

    name: str
    table: str
    sql: Callable[[], KindSql] | None = None  # JSON kinds
    land_csv: CsvLander | None = None  # CSV kinds
    # SQL written per _source_file, so many files of this kind land in one statement (Jira pages)
    batchable: bool = False
    # per-item pages name their item in the file name (``issue_10042.json``): the first group is $issue_ref
    issue_ref: re.Pattern | None = None
    # the refusal when the file name names no item but the kind needs one
    needs_issue_ref: str | None = None

    @property
    def file_format(self) -> str:
        return "csv" if self.land_csv else "json"


@dataclass(frozen=True)
class People:
    """Where a raw table keeps people (names, logins, account ids, emails), for ``--drop-people``
    (:mod:`flowmart.people`): each person becomes the same pseudonym everywhere, so a model that tells
    assignees apart still can, and nothing names them."""

    columns: tuple[str, ...] = ()  # varchar columns holding one person each
    lists: tuple[str, ...] = ()  # JSON arrays of people (strings)
    json_keys: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (JSON column, its keys that hold people): removed
    when: str | None = None  # ``columns`` hold a person only on rows matching this (``{c}`` names a column)


@dataclass(frozen=True)
class RawTable:
    """A table in the ``raw`` schema (lineage columns are appended) and the module of its GX suite."""

    name: str
    columns: str  # column DDL, each followed by a comma
    suite: str | None = None  # e.g. "expectations.jira__issues"; None: no suite guards it
    # (parent raw table, column of this one holding the parent row's _record_position in the same file): a row
    # quarantined in the parent takes its children with it
    parent: tuple[str, str] | None = None
    # columns added after the table was first released: a warehouse landed before gets them (appended last,
    # so inserts into the table name their columns)
    added_columns: tuple[str, ...] = ()
    # (added column, SQL expression over the table's other columns): how a warehouse landed before the
    # column existed fills it, once, when the column is added
    backfills: tuple[tuple[str, str], ...] = ()
    people: People | None = None  # None: the table keeps no personal data

    def ddl(self) -> str:
        return f"create table if not exists raw.{self.name} ({self.columns} {LINEAGE_DDL})"

    def migrations(self) -> list[str]:
        return [f"alter table raw.{self.name} add column if not exists {column}" for column in self.added_columns]

    def backfill_sql(self, added: set[str]) -> list[str]:
        """The updates that fill the columns just added (``added``) in a table that had rows before."""
        return [
            f"update raw.{self.name} set {column} = {expression}"
            for column, expression in self.backfills
            if column in added
        ]


@dataclass(frozen=True)
class DbtModels:
    """The tracker's dbt models in the canonical shapes int_work_items_unioned and
    int_status_changes_unioned union (docs/architecture.md, "Adding a tracker")."""

    work_items: str
    status_changes: str
    # the work_items model also gives current_status_id and tracker_item_type_id, the status_changes model
    # from_status_id and to_status_id (the tracker identifies statuses and item types by id: Jira); the
    # unions fill null for the others, and the mapping seeds can then match by id (ADR 0061)
    ids: bool = False
    # the history shows every status an item had since its creation. False where it is a window (GitHub's and
    # GitLab's event APIs keep so much) or may be partial: an item whose first known status is already active
    # then has its start unknown, never invented at its creation (ADR 0062)
    history_from_creation: bool = True


# recognise_json(container, keys, item_keys) -> the Kind of a parsed document, or None.
# container: 'object' (one JSON document) or 'array' (a top-level array); keys: the object's top-level keys;
# item_keys: the keys of the first element of the document's list (the array itself, or an object's
# 'value' list).
JsonRecogniser = Callable[[str, set[str], set[str]], "Kind | None"]
CsvRecogniser = Callable[[list[str]], "Kind | None"]  # raises RefusedFile for a claimed but bad header


@dataclass(frozen=True)
class Tracker:
    name: str  # the `--source` name, the landing subfolder, the dbt source and the raw tables' prefix
    title: str  # e.g. "GitHub Issues"
    description: str  # one sentence: which exports it lands
    raw_tables: tuple[RawTable, ...]
    kinds: tuple[Kind, ...]
    dbt: DbtModels
    instance_hint: str  # what --instance names for this tracker
    formats_hint: str  # what its files look like, for "unrecognised file" messages
    recognise_json: JsonRecogniser | None = None
    recognise_csv: CsvRecogniser | None = None
    # files at the top of the landing folder with these extensions are routed to this tracker's asset
    landing_suffixes: tuple[str, ...] = ()
    temp_tables: tuple[str, ...] = field(default=())

    @property
    def file_formats(self) -> frozenset[str]:
        return frozenset(kind.file_format for kind in self.kinds)

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.raw_tables)


def csv_header(path: Path) -> list[str]:
    """The header of a CSV file, cells trimmed (a UTF-8 BOM is dropped)."""
    import csv
    import io

    with path.open("rb") as handle:
        first = handle.readline(1 << 20)
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RefusedFile(f"header is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    row = next(csv.reader(io.StringIO(line)), [])
    return [c.strip() for c in row]


def read_csv_sql(header: list[str]) -> str:
    """DuckDB's CSV reader over one file (``?`` is its path), every column of ``header`` as text, strict."""
    columns = "{" + ", ".join("'" + c.replace("'", "''") + "': 'VARCHAR'" for c in header) + "}"
    return (
        "read_csv(?, header = true, auto_detect = false, strict_mode = true, "
        f"delim = ',', quote = '\"', escape = '\"', columns = {columns})"
    )
