"""The landed raw schema as Parquet: one folder per raw table, as raw sits in a lakehouse.

An engine that reads tables from files (Spark, Databricks, Trino over a Hive or Iceberg catalog) takes the
warehouse's raw tables from here; the dbt macro ``declare_raw_parquet`` (macros/raw_parquet.sql) declares
each folder as the table the dbt source names (``raw.<table>``), so the sources stay unchanged
(docs/scaling.md, docs/adr/0069-spark-reads-raw-parquet-and-rewrites-whole.md).

    python -m flowmart.raw_export [--db warehouse/flowmart.duckdb] OUT

JSON columns are written as text (the models parse them as text on every engine); timestamps keep their
UTC instant; every other type is written as DuckDB types it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import duckdb

from flowmart import settings

RAW_SCHEMA = "raw"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export_raw(db: str | Path, out: str | Path) -> dict[str, int]:
    """Write every table of the raw schema of ``db`` to ``out/<table>/part-0.parquet`` (``out`` is
    replaced); returns ``{table: rows}``. Empty tables are written too: their file carries the columns."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written: dict[str, int] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = ? order by 1", [RAW_SCHEMA]
            ).fetchall()
        ]
        for table in tables:
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = ? and table_name = ? "
                "order by column_index",
                [RAW_SCHEMA, table],
            ).fetchall()
            select = ", ".join(
                f"cast({_ident(name)} as varchar) as {_ident(name)}" if data_type == "JSON" else _ident(name)
                for name, data_type in columns
            )
            folder = out / table
            folder.mkdir()
            con.execute(
                f"copy (select {select} from {RAW_SCHEMA}.{_ident(table)}) "
                f"to {_sql_str(str(folder / 'part-0.parquet'))} (format parquet)"
            )
            written[table] = con.execute(f"select count(*) from {RAW_SCHEMA}.{_ident(table)}").fetchall()[0][0]
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flowmart.raw_export", description=__doc__.splitlines()[0])
    parser.add_argument("out", help="folder to write (replaced): one sub-folder of Parquet per raw table")
    parser.add_argument("--db", help="the warehouse (default: $FLOWMART_DB, else warehouse/flowmart.duckdb)")
    args = parser.parse_args(argv)
    db = settings.db_path(args.db)
    if not db.is_file():
        print(f"raw_export: {db}: no such warehouse", file=sys.stderr)
        return 2
    try:
        written = export_raw(db, args.out)
    except duckdb.Error as exc:
        print(f"raw_export: {db}: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 1
    print(f"{len(written)} raw tables, {sum(written.values())} rows -> {Path(args.out).resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
