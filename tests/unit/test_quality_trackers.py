"""The quality gate's suites for GitHub, GitLab, Azure Boards and Linear: registered, picked up by the
file-level suite and by Dagster, and their SQL helpers (label scopes, copies within a file)."""

from __future__ import annotations

import importlib

import duckdb
import pytest

from expectations.shared import (
    CRITICAL,
    QUARANTINE,
    WARNING,
    GateSettings,
    Mappings,
    in_file_copies,
    label_scope,
    scope,
)
from flowmart import trackers
from flowmart.gate.mappings import load_mappings
from flowmart.gate.run import row_suites
from flowmart.warehouse import ensure_raw_schema

# the trackers added after Jira and the CSV interchange format
LATER_TRACKERS = [trackers.get(name) for name in ("github", "gitlab", "azure", "linear")]
TRACKER_SUITES = {
    importlib.import_module(m).TABLE: importlib.import_module(m)
    for m in row_suites()
    if importlib.import_module(m).TABLE in {t for tr in LATER_TRACKERS for t in tr.table_names}
}
MAPPINGS = Mappings(
    status_keys=frozenset({"github|open"}),
    type_keys=frozenset({"github|issue"}),
    label_keys=frozenset({"gitlab|workflow::in dev"}),
    label_scopes=frozenset({"gitlab|workflow::"}),
)


def test_every_tracker_raw_table_has_one_suite_named_source__entity():
    assert set(TRACKER_SUITES) == {t for tracker in LATER_TRACKERS for t in tracker.table_names}
    for tracker in trackers.all_trackers():
        for table in tracker.raw_tables:
            module = importlib.import_module(table.suite)
            assert module.TABLE == table.name
            assert module.SUITE_NAME == f"{tracker.name}__{table.name.removeprefix(tracker.name + '_')}"
            assert module.__name__ == f"expectations.{module.SUITE_NAME}"


def test_every_tracker_kind_counts_as_guarded_and_reconciles_against_its_table():
    for kind in (k for tracker in LATER_TRACKERS for k in tracker.kinds):
        assert kind.table in TRACKER_SUITES, kind.name


def test_dagster_puts_a_blocking_check_on_every_tracker_raw_table():
    from orchestration.quality import GATE_TABLES

    assert {t.name for t in trackers.raw_tables()} == set(GATE_TABLES)
    assert all(importlib.import_module(t.suite).TABLE == t.name for t in trackers.raw_tables())


@pytest.mark.parametrize("table", sorted(TRACKER_SUITES))
def test_tracker_suites_follow_the_severity_pattern(table):
    expectations = TRACKER_SUITES[table].build_suite(MAPPINGS, GateSettings()).expectations
    by_check = {e.meta["check"]: e.meta["flowmart_severity"] for e in expectations}
    # whole-file problems are critical; duplicates within a file and timestamps are row level; mappings warn
    assert by_check["required_column_present"] == CRITICAL
    assert by_check["values_not_huge"] == QUARANTINE
    assert [c for c in by_check if c.endswith("_unique_in_file")] and all(
        by_check[c] == QUARANTINE
        for c in by_check
        if c.endswith(("_unique_in_file", "_parseable", "_after_2000", "_not_in_future", "_not_before_creation"))
    )
    assert any(c.endswith("_not_in_future") for c in by_check)
    assert WARNING in by_check.values()
    if "events" in table or "updates" in table:
        assert any(c.endswith("_not_before_creation") for c in by_check), "an event may not precede its item"


@pytest.mark.parametrize(
    "label, expected",
    [
        ("workflow::in dev", "workflow::"),
        ("Team::Core::Doing", "team::core::"),
        ("status: in progress", "status:"),
        (" Blocked ", None),
        ("bug", None),
    ],
)
def test_label_scope_in_python_and_sql_agree(label, expected):
    assert label_scope(label) == expected
    expression = scope("'gitlab'", "x")
    sql = duckdb.connect().execute(f"select {expression} from (select ? as x)", [label]).fetchone()[0]
    assert sql == (f"gitlab|{expected}" if expected else None)


def test_in_file_copies_counts_later_copies_and_leaves_missing_keys_alone():
    con = duckdb.connect()
    con.execute(
        "create table t as select * from (values ('f', 1, 'a'), ('f', 2, 'a'), ('f', 3, null), "
        "('f', 4, null), ('g', 5, 'a')) as t(_file_hash, _record_position, k)"
    )
    rows = con.execute(
        f"select t._record_position, coalesce(copies.copy_number, 1) from t "
        f"left join {in_file_copies('t', ['k'])} as copies using (_file_hash, _record_position) order by 1"
    ).fetchall()
    # 'a' twice in file f; the two rows without a key are not copies of each other; 'a' in file g is a first copy
    assert rows == [(1, 1), (2, 2), (3, 1), (4, 1), (5, 1)]


def test_label_states_seed_gives_label_keys_and_scopes(tmp_path):
    (tmp_path / "label_states.csv").write_text(
        "source,label,status,precedence\ngitlab,workflow::In Dev,in progress,10\ngithub,blocked,blocked,30\n"
        "github,status: in review,in review,20\n"
    )
    con = duckdb.connect()
    ensure_raw_schema(con)
    mappings = load_mappings(con, tmp_path)
    assert mappings.label_keys == {"gitlab|workflow::in dev", "github|blocked", "github|status: in review"}
    assert mappings.label_scopes == {"gitlab|workflow::", "github|status:"}  # 'blocked' has no scope
