"""The quality gate's pure parts: suites, severities, mapping value sets, SQL helpers, messages."""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb
import pytest

from expectations.shared import (
    CRITICAL,
    GX_SEVERITY,
    QUARANTINE,
    SEVERITIES,
    WARNING,
    GateSettings,
    Mappings,
    empty_in_file_by_file,
    utc,
)
from flowmart.gate.mappings import load_mappings
from flowmart.gate.outcomes import CheckOutcome
from flowmart.gate.run import FILE_SUITE, row_suites
from flowmart.warehouse import ensure_raw_schema

ROW_SUITES = row_suites()

MAPPINGS = Mappings(
    status_keys=frozenset({"csv|open"}), type_keys=frozenset({"csv|story"}), known_sources=frozenset({"csv", "jira"})
)


@pytest.mark.parametrize("module_name", [*ROW_SUITES, FILE_SUITE])
def test_every_suite_tags_each_expectation_with_one_severity_and_a_unique_check(module_name):
    module = importlib.import_module(module_name)
    suite = module.build_suite(MAPPINGS, GateSettings())
    assert suite.name == module.SUITE_NAME == module_name.split(".")[-1]
    checks = [e.meta["check"] for e in suite.expectations]
    assert len(checks) == len(set(checks)), "check names identify results: they must be unique per suite"
    for expectation in suite.expectations:
        severity = expectation.meta["flowmart_severity"]
        assert severity in SEVERITIES
        assert expectation.severity == GX_SEVERITY[severity]
        assert expectation.meta["message"]


def test_each_raw_table_has_critical_or_row_level_checks_and_mapping_warnings():
    severities = {}
    for module_name in ROW_SUITES:
        module = importlib.import_module(module_name)
        severities[module.TABLE] = {
            e.meta["flowmart_severity"] for e in module.build_suite(MAPPINGS, GateSettings()).expectations
        }
    assert all(QUARANTINE in s for s in severities.values())
    # a whole file is unusable without some column: every table but Jira's changelog items and status lists
    assert {t for t, s in severities.items() if CRITICAL not in s} == {"jira_changelog_items", "jira_statuses"}
    assert {t for t, s in severities.items() if WARNING in s} == set(severities)  # every table warns about something


def test_every_frame_is_valid_sql_on_empty_raw_tables():
    con = duckdb.connect()
    ensure_raw_schema(con)
    for module_name in ROW_SUITES:
        module = importlib.import_module(module_name)
        con.execute(f"select * from ({module.frame_sql(GateSettings())}) limit 0")


def test_utc_parses_offsets_keeps_unparseable_null_and_clamps_far_dates():
    con = duckdb.connect()
    rows = con.execute(
        f"select {utc('x')} from (values ('2020-06-12T08:13:13.360+0800'), ('yesterday'), (null), "
        "('2999-01-01T00:00:00Z'), ('1066-10-14T09:00:00Z')) as t(x)"
    ).fetchall()
    assert [str(r[0]) if r[0] else None for r in rows] == [
        "2020-06-12 00:13:13.360000",  # 08:13 at +08:00 is 00:13 UTC
        None,
        None,
        "2200-01-01 00:00:00",  # clamped so pandas can hold it; still later than any landing time
        "1900-01-01 00:00:00",  # still before 2000
    ]


def test_empty_in_file_by_file_names_the_columns_without_any_value_in_the_file():
    con = duckdb.connect()
    con.execute(
        "create table t as select * from (values (1, null, 'x'), (1, ' ', 'y'), (2, 'z', null)) as t(_file_hash, a, b)"
    )
    rows = con.execute(
        f"select t._file_hash, files.empty_required_columns from t "
        f"left join {empty_in_file_by_file('t', ['a', 'b'])} as files using (_file_hash) order by 1"
    ).fetchall()
    # file 1: a is null or blank in both rows; file 2: b is null in its only row
    assert rows == [(1, "a"), (1, "a"), (2, "b")]


def test_mappings_normalise_like_the_models_and_expand_star_rows(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "status_mappings.csv").write_text(
        "source,status,value_stream_id,flow_state,stage\ncsv, In Progress ,,active,Build\n*,Done,,done,Done\n"
    )
    (seeds / "flow_item_types.csv").write_text("source,tracker_item_type,label,flow_item_type\njira,Story,,feature\n")
    con = duckdb.connect()
    ensure_raw_schema(con)
    con.execute(
        "insert into raw.csv_status_changes (source, _source_file, _file_hash, _record_position, _landed_at) "
        "values ('YouTrack', 'f', 'h', 1, now())"
    )
    mappings = load_mappings(con, seeds)
    assert "csv|in progress" in mappings.status_keys
    # '*' covers every known source and every source seen in raw
    assert {"csv|done", "jira|done", "youtrack|done"} <= mappings.status_keys
    assert mappings.type_keys == {"jira|story"}
    assert "youtrack" not in mappings.known_sources and {"csv", "jira"} <= mappings.known_sources


def test_a_failure_reads_as_one_line_with_check_count_file_and_examples():
    outcome = CheckOutcome(
        suite="csv__status_changes",
        table="csv_status_changes",
        check="changed_at_present",
        ordinal=1,
        expectation_type="expect_column_values_to_not_be_null",
        column="changed_at",
        severity=QUARANTINE,
        message="change has no timestamp (changed_at)",
        success=False,
        unexpected_count=2,
        file_counts={"/data/a.csv": 2},
        examples=[{"file": "/data/a.csv", "position": 4, "changed_at": None}],
    )
    assert outcome.line() == (
        "quarantine: csv__status_changes.changed_at_present: 2 rows in /data/a.csv (2): "
        "change has no timestamp (changed_at) (e.g. row 4 of a.csv: changed_at=None)"
    )
    assert "\n" not in outcome.line()


def test_check_command_has_help():
    from flowmart.cli import build_parser

    parser = build_parser()
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["check", "--help"])
    assert exit_info.value.code == 0


def test_suite_modules_live_one_per_raw_table():
    names = sorted(
        p.stem
        for p in (Path(__file__).resolve().parents[2] / "expectations").glob("*__*.py")
        if not p.stem.startswith("_")
    )
    assert names == sorted(m.split(".")[-1] for m in [*ROW_SUITES, FILE_SUITE])
