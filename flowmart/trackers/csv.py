"""The CSV interchange format: ``work_items.csv`` and ``status_changes.csv`` (docs/input-formats.md), and
``business_results.csv``, the value streams' business results (north-star metric, revenue, cost, quality,
happiness per month) that the review puts beside the flow metrics.

Any tracker without a reader of its own (YouTrack, Trello, a spreadsheet) lands through the first two files.
Columns are matched by name; optional ones may be missing (null), unknown ones are ignored.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from flowmart.trackers.spec import DbtModels, Kind, RawTable, RefusedFile, Tracker, read_csv_sql

WORK_ITEM_COLUMNS = (
    "source",
    "instance",
    "item_key",
    "title",
    "item_type",
    "project",
    "components",
    "labels",
    "area_path",
    "parent_key",
    "status",
    "status_category",
    "resolution",
    "created_at",
    "updated_at",
    "resolved_at",
)
STATUS_CHANGE_COLUMNS = ("source", "instance", "item_key", "change_id", "changed_at", "from_status", "to_status")
BUSINESS_RESULT_COLUMNS = ("value_stream_id", "period_start", "metric", "value", "unit")
BUSINESS_RESULT_KEYS = ("value_stream_id", "period_start", "metric")  # an empty one refuses the file
BUSINESS_RESULT_REQUIRED = (*BUSINESS_RESULT_KEYS, "value")  # the header must have them; unit is optional


def _lander(table: str, columns: tuple[str, ...], keys: tuple[str, ...]):
    def land_csv(
        con: duckdb.DuckDBPyConnection, path: Path, digest: str, header: list[str], instance, source_file: str
    ) -> int:
        present = set(header)
        select_list = ",\n".join(f'"{c}"::varchar as {c}' if c in present else f"null::varchar as {c}" for c in columns)
        con.execute(
            f"""
            insert into raw.{table}
            select
                {select_list},
                ?::varchar as _source_file,
                ?::varchar as _file_hash,
                row_number() over () as _record_position,
                now()::timestamptz as _landed_at
            from {read_csv_sql(header)}
            """,
            [source_file, digest, str(path)],
        )
        rows, blank = con.execute(
            f"select count(*), count(*) filter (where {' or '.join(f'{k} is null' for k in keys)}) "
            f"from raw.{table} where _file_hash = ?",
            [digest],
        ).fetchone()
        if blank:
            raise RefusedFile(f"{blank} row(s) with an empty key column ({', '.join(keys)})")
        return rows

    return land_csv


WORK_ITEMS = Kind(
    "csv_work_items",
    "csv_work_items",
    land_csv=_lander("csv_work_items", WORK_ITEM_COLUMNS, ("source", "instance", "item_key")),
)
STATUS_CHANGES = Kind(
    "csv_status_changes",
    "csv_status_changes",
    land_csv=_lander("csv_status_changes", STATUS_CHANGE_COLUMNS, ("source", "instance", "item_key", "change_id")),
)

BUSINESS_RESULTS = Kind(
    "csv_business_results",
    "csv_business_results",
    land_csv=_lander("csv_business_results", BUSINESS_RESULT_COLUMNS, BUSINESS_RESULT_KEYS),
)

# kind, the columns that identify it, the columns it cannot do without
SIGNATURES = (
    (BUSINESS_RESULTS, {"value_stream_id", "metric"}, BUSINESS_RESULT_REQUIRED),
    (
        STATUS_CHANGES,
        {"item_key", "change_id", "to_status"},
        ("source", "instance", "item_key", "change_id", "changed_at", "to_status"),
    ),
    (WORK_ITEMS, {"item_key", "created_at"}, ("source", "instance", "item_key", "item_type", "status", "created_at")),
)


def recognise_csv(header: list[str]) -> Kind | None:
    columns = set(header)
    for kind, signature, required in SIGNATURES:
        if signature <= columns:
            missing = [c for c in required if c not in columns]
            if missing:
                raise RefusedFile(f"{kind.name} file lacks required column(s): {', '.join(missing)}")
            return kind
    return None


def _columns_ddl(columns: tuple[str, ...]) -> str:
    return ", ".join(f"{c} varchar" for c in columns) + ","


TRACKER = Tracker(
    name="csv",
    title="CSV interchange",
    description="CSV interchange files: work_items.csv and status_changes.csv; business_results.csv.",
    raw_tables=(
        RawTable("csv_work_items", _columns_ddl(WORK_ITEM_COLUMNS), suite="expectations.csv__work_items"),
        RawTable("csv_status_changes", _columns_ddl(STATUS_CHANGE_COLUMNS), suite="expectations.csv__status_changes"),
        RawTable(
            "csv_business_results", _columns_ddl(BUSINESS_RESULT_COLUMNS), suite="expectations.csv__business_results"
        ),
    ),
    kinds=(WORK_ITEMS, STATUS_CHANGES, BUSINESS_RESULTS),
    dbt=DbtModels(work_items="stg_csv__work_items", status_changes="stg_csv__status_changes"),
    instance_hint="the instance column of the files",
    formats_hint="the work_items.csv or status_changes.csv columns, or business_results.csv (docs/input-formats.md)",
    recognise_csv=recognise_csv,
    landing_suffixes=(".csv",),
)
