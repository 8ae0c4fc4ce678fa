"""Upgrades: an incremental table an older Flowmart wrote is found before dbt stops on it."""

from __future__ import annotations

import duckdb

from flowmart.dbt import stale_incremental_tables


def test_an_incremental_table_missing_documented_columns_is_stale(tmp_path):
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema intermediate")
        # the shape before next_changed_at and previous_to_status existed
        con.execute(
            "create table intermediate.int_status_changes_unioned (work_item_id varchar, change_id varchar, "
            "changed_at timestamp, from_status varchar, to_status varchar, change_sequence bigint, "
            "removal_reason varchar, duplicates_removed bigint, _landed_at timestamp)"
        )
    assert stale_incremental_tables(db) == {"int_status_changes_unioned": ["next_changed_at", "previous_to_status"]}


def test_current_or_absent_tables_are_not_stale(tmp_path):
    db = tmp_path / "w.duckdb"
    assert stale_incremental_tables(db) == {}  # no warehouse yet
    with duckdb.connect(str(db)) as con:
        con.execute("create schema intermediate")
    assert stale_incremental_tables(db) == {}  # no incremental table yet: the first build creates it
    with duckdb.connect(str(db)) as con:
        con.execute(
            "create table intermediate.int_status_changes_unioned (work_item_id varchar, change_id varchar, "
            "changed_at timestamp, next_changed_at timestamp, from_status varchar, to_status varchar, "
            "previous_to_status varchar, change_sequence bigint, removal_reason varchar, duplicates_removed bigint, "
            "_landed_at timestamp)"
        )
    assert stale_incremental_tables(db) == {}
