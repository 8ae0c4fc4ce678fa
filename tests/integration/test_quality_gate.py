"""The input quality gate on the corpus of bad inputs (tests/fixtures/bad_inputs): real landing, real GX
validation, real DuckDB, real dbt for staging. Every expected number is counted by hand from the files.

Run A lands the base files plus every row-level / warning case: the gate passes, quarantines exactly
the bad rows, warns about the rest, and every landed row ends up in staging or in quarantine.
Run B lands the base files plus every critical case: the gate fails, names each file and check, and
moves nothing; `flowmart build` stops before dbt; setting the files aside lets the build through.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from flowmart.gate import run_gate
from flowmart.gate import validation as validation_module
from flowmart.landing import land

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs"
SEEDS = CORPUS / "seeds"
SH = "source,instance,item_key,change_id,changed_at,from_status,to_status"
WH = (
    "source,instance,item_key,title,item_type,project,components,labels,area_path,parent_key,status,"
    "status_category,resolution,created_at,updated_at,resolved_at"
)

ROW_LEVEL_CASES = [
    "base",
    "wrong_types",
    "missing_timestamp",
    "duplicated_changes",
    "future_dates",
    "before_creation",
    "unknown_statuses",
    "header_only",
]
CRITICAL_CASES = [
    "critical/empty",
    "critical/invalid_utf8",
    "critical/missing_column",
    "critical/missing_key",
    "critical/jira_without_status",
    "critical/unusable",
]


def write_huge_cases(root: Path) -> None:
    """Huge values are generated, not committed: a 1,000,000-character status (lands; the row is
    quarantined), a 100,000-character title (lands; warned) and a 3 MB line (refused at landing:
    DuckDB's CSV reader stops at 2 MB per line)."""
    (root / "huge").mkdir(parents=True)
    (root / "huge" / "status_changes.csv").write_text(
        f"{SH}\ncsv,acme,A-1,100,2024-01-12T09:00:00Z,closed,{'x' * 1_000_000}\n"
        "csv,acme,A-1,101,2024-01-12T10:00:00Z,closed,open\n"
    )
    (root / "huge" / "work_items.csv").write_text(
        f"{WH}\ncsv,acme,H-1,{'t' * 100_000},story,PAY,,,,,open,new,,2024-03-02T09:00:00Z,,\n"
    )
    (root / "critical" / "line_too_long").mkdir(parents=True)
    (root / "critical" / "line_too_long" / "status_changes.csv").write_text(
        f"{SH}\ncsv,acme,A-1,110,2024-01-12T09:00:00Z,closed,{'y' * 3_000_000}\n"
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS, root, dirs_exist_ok=True)
    write_huge_cases(root)
    return root


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchone()[0]


def failed(report) -> dict[str, object]:
    return {o.name: o for o in report.outcomes if not o.success}


# ---------------------------------------------------------------------------------------------
# run A: row-level and warning cases


@pytest.fixture(scope="module")
def run_a(corpus, tmp_path_factory):
    db = tmp_path_factory.mktemp("a") / "w.duckdb"
    results = land(db, [corpus / case for case in [*ROW_LEVEL_CASES, "huge"]])
    assert {r.status for r in results} == {"landed"}, [r.line() for r in results if r.status != "landed"]
    with duckdb.connect(str(db)) as con:
        report = run_gate(con, seeds_dir=SEEDS, docs_dir=db.parent / "docs")
    return db, report


def test_row_level_cases_pass_the_gate_and_quarantine_exactly_the_bad_rows(run_a, corpus):
    db, report = run_a
    assert not report.failed and report.applied
    with duckdb.connect(str(db), read_only=True) as con:
        got = sorted(
            con.execute(
                "select replace(source_file, ?, ''), record_position, expectation from raw.quarantine",
                [str(corpus) + "/"],
            ).fetchall()
        )
    p = "csv__status_changes."
    assert got == sorted(
        [
            ("wrong_types/status_changes.csv", 1, p + "changed_at_parseable"),  # 'yesterday'
            ("wrong_types/status_changes.csv", 2, p + "changed_at_parseable"),  # '12/31/2024 25:61'
            ("wrong_types/work_items.csv", 1, "csv__work_items.created_at_parseable"),  # 'last tuesday'
            ("missing_timestamp/status_changes.csv", 1, p + "changed_at_present"),
            ("missing_timestamp/status_changes.csv", 2, p + "to_status_present"),
            ("duplicated_changes/status_changes.csv", 3, p + "change_id_unique_in_file"),  # 2nd copy of change 20
            ("duplicated_changes/status_changes.csv", 4, p + "change_id_unique_in_file"),  # 3rd copy
            ("future_dates/status_changes.csv", 1, p + "changed_at_not_in_future"),  # 2999
            ("future_dates/status_changes.csv", 2, p + "changed_at_after_2000"),  # 1999-12-31
            # A-4 created 2024-01-04T09:00+01:00 = 08:00Z; 60 min tolerance -> 07:00Z; 06:59Z fails, 07:01Z passes
            ("before_creation/status_changes.csv", 1, p + "changed_at_not_before_creation"),
            ("huge/status_changes.csv", 1, p + "values_not_huge"),  # 1,000,000-character to_status
        ]
    )
    assert report.quarantined == {"csv_status_changes": 10, "csv_work_items": 1}


def test_small_chunks_and_categorical_frames_give_the_same_outcome(run_a, corpus, tmp_path, monkeypatch):
    """The same corpus through the paths big data takes: many chunks (the next rowid range of a streamed
    frame read while GX validates the current one; some ranges empty, as rows from other files fall
    between) and text columns with few values handed to GX as categoricals (normally only in chunks of
    100k+ rows)."""
    db_a, report_a = run_a
    monkeypatch.setattr(validation_module, "CATEGORICAL_MIN_ROWS", 0)
    db = tmp_path / "w.duckdb"
    land(db, [corpus / case for case in [*ROW_LEVEL_CASES, "huge"]])
    categorical: set[str] = set()
    real_categorical = validation_module._categorical_texts

    def spy(chunk):
        encoded = real_categorical(chunk)
        categorical.update(f.name for f in encoded.schema if pa.types.is_dictionary(f.type))
        return encoded

    monkeypatch.setattr(validation_module, "_categorical_texts", spy)
    with duckdb.connect(str(db)) as con:
        report = run_gate(con, seeds_dir=SEEDS, chunk_rows=2)
        quarantined = sorted(
            con.execute("select source_file, record_position, expectation from raw.quarantine").fetchall()
        )
    # raw__landing_log.status ('landed', 'refused'; the materialised frame) and csv__status_changes'
    # to_status (a streamed frame) reached GX as categoricals
    assert {"status", "to_status"} <= categorical
    assert {o.name: (o.success, o.unexpected_count) for o in report.outcomes} == {
        o.name: (o.success, o.unexpected_count) for o in report_a.outcomes
    }
    with duckdb.connect(str(db_a), read_only=True) as con:
        assert quarantined == sorted(
            con.execute("select source_file, record_position, expectation from raw.quarantine").fetchall()
        )


def test_quarantine_keeps_the_raw_record_and_every_failed_check(run_a):
    db, _ = run_a
    with duckdb.connect(str(db), read_only=True) as con:
        record, checks, message = con.execute(
            "select record, failed_expectations, message from raw.quarantine "
            "where source_file like '%future_dates%' and record_position = 2"
        ).fetchone()
    record = json.loads(record)
    assert record["changed_at"] == "1999-12-31T23:59:59Z" and record["change_id"] == "31"
    assert record["_record_position"] == 2 and record["_source_file"].endswith("future_dates/status_changes.csv")
    # 1999 is before 2000 and before A-3's creation (2024-01-03)
    assert checks == ["csv__status_changes.changed_at_after_2000", "csv__status_changes.changed_at_not_before_creation"]
    assert message == "changed_at is before 2000"


def test_warnings_are_reported_only(run_a):
    _, report = run_a
    warned = {o.name: o.unexpected_count for o in report.failures("warning")}
    assert warned == {
        "csv__status_changes.source_known": 1,  # youtrack
        # 'Limbo' (csv), 'Submitted' (youtrack), the 1,000,000 x's; 'Done' is mapped by the '*' seed row
        "csv__status_changes.to_status_mapped": 3,
        "csv__work_items.status_mapped": 1,  # Triage
        "csv__work_items.item_type_mapped": 1,  # spike
        "csv__work_items.title_not_huge": 1,  # 100,000 characters
        "raw__landing_log.file_not_empty": 1,  # header_only/status_changes.csv
    }
    line = failed(report)["csv__work_items.item_type_mapped"].line()
    assert line.startswith("warning: csv__work_items.item_type_mapped: 1 row, e.g. in ")
    assert "unknown_statuses/work_items.csv" in line and "item_type_key='csv|spike'" in line


def test_results_are_kept_in_duckdb_and_data_docs_written(run_a):
    db, report = run_a
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select count(*), count(distinct run_id), count(*) filter (where not success), bool_and(applied) "
            "from raw.validation_results"
        ).fetchone()
        example = json.loads(
            one(
                con,
                "select examples from raw.validation_results where expectation = 'csv__status_changes.values_not_huge'",
            )
        )
    # failed: 9 quarantine checks (changed_at parseable / present / after 2000 / not in future / not before
    # creation, to_status present, change id unique, values not huge, created_at parseable) + 6 warnings = 15
    assert rows == (len(report.outcomes), 1, 9 + 6, True)
    assert example[0]["longest_identifier"] == 1_000_000 and example[0]["position"] == 1
    assert report.data_docs.exists()
    page = report.data_docs.read_text()
    assert "csv__status_changes" in page and "raw__landing_log" in page


def test_every_landed_row_is_in_staging_or_in_quarantine(run_a):
    from flowmart.dbt import run_dbt

    db, _ = run_a
    run_dbt(db, ["run", "--select", "stg_csv__status_changes", "stg_csv__work_items"])
    with duckdb.connect(str(db), read_only=True) as con:
        # landed (landing_log) = still in raw + in quarantine, for every file
        per_file = con.execute("""
            select l.file_path, l.rows,
                (select count(*) from raw.csv_status_changes r where r._file_hash = l.file_hash)
              + (select count(*) from raw.csv_work_items r where r._file_hash = l.file_hash)
              + (select count(*) from raw.quarantine q where q.file_hash = l.file_hash)
            from raw.landing_log l where l.status = 'landed'
        """).fetchall()
        assert all(landed == accounted for _, landed, accounted in per_file), per_file
        # status changes landed: base 5 + wrong_types 3 + missing_timestamp 3 + duplicated 5 + future 3
        #   + before_creation 3 + unknown 3 + header_only 0 + huge 2 = 27; quarantined 2+2+2+2+1+1 = 10
        assert one(con, "select sum(rows) from raw.landing_log where kind = 'csv_status_changes'") == 27
        assert one(con, "select count(*) from raw.quarantine where source_table = 'csv_status_changes'") == 10
        assert one(con, "select count(*) from raw.csv_status_changes") == 27 - 10
        # staging keeps one row per change key: of the 17 left, duplicated_changes row 1 repeats base change 1
        assert one(con, "select count(*) from staging.stg_csv__status_changes") == 17 - 1
        # ... and every change left in raw is in staging (no row lost between raw and staging)
        assert (
            one(
                con,
                """
            select count(*) from raw.csv_status_changes r
            anti join staging.stg_csv__status_changes s
                on s.source = lower(trim(r.source)) and s.instance = trim(r.instance)
                and s.item_key = trim(r.item_key) and s.change_id = trim(r.change_id)
        """,
            )
            == 0
        )
        # no quarantined change reached staging (none of them has a good copy elsewhere)
        assert (
            one(
                con,
                """
            select count(*) from raw.quarantine q
            inner join staging.stg_csv__status_changes s
                on s.item_key = q.record->>'item_key' and s.change_id = q.record->>'change_id'
            where q.source_table = 'csv_status_changes'
              and not (q.record->>'change_id' = '20')  -- change 20 kept its first copy, on purpose
        """,
            )
            == 0
        )
        # work items: base 4 + wrong_types 2 + unknown 1 + huge 1 = 8 landed; B-1 quarantined -> 7 in staging
        assert one(con, "select count(*) from staging.stg_csv__work_items") == 8 - 1


def test_quarantined_rows_are_counted_in_fct_data_quality(run_a):
    from flowmart.dbt import run_dbt

    db, _ = run_a
    run_dbt(db, ["seed"])
    run_dbt(db, ["run", "--select", "+fct_data_quality"])
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("""
            select checked_unit, affected_count, checked_count, affected_pct from marts.fct_data_quality
            where source = 'csv' and value_stream_id = 'unassigned' and check_name = 'quarantined_row'
        """).fetchone()
        # CSV rows landed: status changes 27 + work items 8 = 35 (counted file by file in the test above);
        # quarantined: 10 status changes + 1 work item = 11; 100 * 11 / 35 = 31.43 %
        assert row[:3] == ("raw_rows", 11, 35)
        assert row[3] == pytest.approx(31.428571, abs=1e-6)
        # nothing of the other formats was quarantined, so they get no 'unassigned' quarantine row of their own
        assert (
            one(
                con,
                "select count(*) from marts.fct_data_quality where check_name = 'quarantined_row' "
                "and affected_count > 0",
            )
            == 1
        )
        assert one(con, "select count(*) from staging.stg_quality__quarantined_rows where landing_source = 'csv'") == 11


def test_a_second_run_finds_nothing_new_to_quarantine(run_a):
    db, _ = run_a
    with duckdb.connect(str(db)) as con:
        report = run_gate(con, seeds_dir=SEEDS)
        assert not report.failed and report.quarantined == {}
        assert one(con, "select count(*) from raw.quarantine") == 11
        # the file-level check now counts the quarantined rows as accounted for
        assert "raw__landing_log.rows_reconcile" not in failed(report)


def test_the_gate_validates_the_files_landed_since_its_last_passed_run(corpus, tmp_path):
    """The daily path: each run validates the rows of the files landed since the last passed, applied run;
    older results stay; other checks (tolerances, seeds) or --validate-all validate every file again, and a
    dry run records nothing."""
    from expectations.shared import GateSettings

    def rows(report) -> dict[str, int]:
        return {t: n for t, n in report.rows_checked.items() if t in ("csv_status_changes", "csv_work_items")}

    db = tmp_path / "w.duckdb"
    land(db, [corpus / "base"])
    with duckdb.connect(str(db)) as con:
        first = run_gate(con, seeds_dir=SEEDS)
    # base: 5 status changes and 4 work items (the lines below each header)
    assert rows(first) == {"csv_status_changes": 5, "csv_work_items": 4}
    land(db, [corpus / "duplicated_changes"])
    with duckdb.connect(str(db)) as con:
        second = run_gate(con, seeds_dir=SEEDS)
        # the new file only: its 5 changes, of which the 2 later copies of change 20 are set aside
        assert rows(second) == {"csv_status_changes": 5, "csv_work_items": 0}
        assert second.quarantined == {"csv_status_changes": 2}
        # the file-level checks still see every landed file: base's 2 + 1
        assert second.rows_checked["landing_log"] == 3
        assert "1 new file(s), 2 validated before" in second.summary()
        # nothing new: no row to validate; the three runs' results are all kept
        assert rows(run_gate(con, seeds_dir=SEEDS)) == {"csv_status_changes": 0, "csv_work_items": 0}
        assert one(con, "select count(distinct run_id) from raw.validation_results") == 3
        # every file again: 5 + (5 - 2 set aside) = 8 changes and 4 items still in raw
        assert rows(run_gate(con, seeds_dir=SEEDS, full=True)) == {"csv_status_changes": 8, "csv_work_items": 4}
        # another tolerance is another check: every file again, then only new ones under it
        wider = GateSettings(future_tolerance_hours=48)
        assert rows(run_gate(con, seeds_dir=SEEDS, settings=wider)) == {"csv_status_changes": 8, "csv_work_items": 4}
        assert rows(run_gate(con, seeds_dir=SEEDS, settings=wider)) == {"csv_status_changes": 0, "csv_work_items": 0}
    land(db, [corpus / "missing_timestamp"])
    with duckdb.connect(str(db)) as con:
        # a dry run validates the new file's 3 changes and records it as validated nowhere: so does the next
        for _ in range(2):
            dry = run_gate(con, seeds_dir=SEEDS, settings=wider, apply=False)
            assert rows(dry) == {"csv_status_changes": 3, "csv_work_items": 0}
            assert dry.quarantined == {}
        applied = run_gate(con, seeds_dir=SEEDS, settings=wider)
        # change 60 has no time, change 61 no to-status
        assert applied.quarantined == {"csv_status_changes": 2}
        assert one(con, "select count(distinct fingerprint) from raw.gate_files") == 1
        assert one(con, "select count(*) from raw.gate_files") == 4  # base's 2 files + 2


# ---------------------------------------------------------------------------------------------
# run B: critical cases


@pytest.fixture(scope="module")
def run_b(corpus, tmp_path_factory):
    db = tmp_path_factory.mktemp("b") / "w.duckdb"
    results = land(db, [corpus / "base", *(corpus / case for case in [*CRITICAL_CASES, "critical/line_too_long"])])
    refused = {Path(r.path).parent.name: r.reason for r in results if r.status == "refused"}
    assert refused == {
        "empty": "empty file",
        "invalid_utf8": refused["invalid_utf8"],
        "missing_column": "csv_status_changes file lacks required column(s): changed_at",
        "missing_key": refused["missing_key"],
        "line_too_long": refused["line_too_long"],
    }
    assert "not utf-8" in refused["invalid_utf8"] and "empty key column" in refused["missing_key"]
    assert "Maximum line size" in refused["line_too_long"]
    with duckdb.connect(str(db)) as con:
        before = one(con, "select count(*) from raw.csv_status_changes")
        report = run_gate(con, seeds_dir=SEEDS)
    return db, report, before


def test_critical_cases_fail_the_gate_and_move_nothing(run_b):
    db, report, before = run_b
    assert report.failed and not report.applied
    criticals = {o.name: o for o in report.failures("critical")}
    assert set(criticals) == {
        "raw__landing_log.file_landed",
        "raw__landing_log.file_usable",
        "jira__issues.required_column_present",
    }
    # five files refused at landing: empty, invalid UTF-8, missing column, missing key, 3 MB line
    assert criticals["raw__landing_log.file_landed"].unexpected_count == 5
    # unusable/: both timestamps unparseable; jira_without_status/: both issues lack a status
    assert criticals["raw__landing_log.file_usable"].unexpected_count == 2
    jira = criticals["jira__issues.required_column_present"]
    assert jira.unexpected_count == 2 and len(jira.file_counts) == 1
    assert jira.line().startswith("critical: jira__issues.required_column_present: 2 rows in ")
    assert "jira_without_status/search_page.json (2)" in jira.line()
    assert "empty_required_columns='status_name, issue_type'" in jira.line()
    refused_line = criticals["raw__landing_log.file_landed"].line()
    assert refused_line.startswith("critical: raw__landing_log.file_landed: 5 files: the file was refused at landing")
    assert "refusal_reason='empty file'" in refused_line
    with duckdb.connect(str(db), read_only=True) as con:
        assert one(con, "select count(*) from raw.quarantine") == 0
        assert one(con, "select count(*) from raw.csv_status_changes") == before == 5 + 2  # base + unusable
        assert one(con, "select bool_or(applied) from raw.validation_results") is False


def test_build_stops_before_dbt_then_passes_once_the_files_are_set_aside(run_b, corpus, monkeypatch, capsys):
    from flowmart import cli
    from flowmart import dbt as dbt_runner
    from flowmart.cli.output import EXIT_USER_ERROR

    db, _, _ = run_b
    calls = []
    monkeypatch.setattr(dbt_runner, "run_dbt", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setattr("flowmart.settings.PROJECT_DIR", SEEDS.parent)  # the corpus seeds
    code = cli.main(["build", "--db", str(db), "--no-data-docs", "--no-publish"])
    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR and calls == []
    assert "error: quality gate failed (3 critical check(s), listed above): dbt did not run" in err
    assert "critical: raw__landing_log.file_landed: 5 files" in err

    # set aside: refused files moved out of the landing folder, landed ones moved to quarantine by hand
    for case in ["empty", "invalid_utf8", "missing_column", "missing_key", "line_too_long"]:
        shutil.rmtree(corpus / "critical" / case)
    code = cli.main(
        [
            "check",
            "--db",
            str(db),
            "--no-data-docs",
            "-q",
            "--quarantine-file",
            str(corpus / "critical" / "jira_without_status" / "search_page.json"),
            "--quarantine-file",
            str(corpus / "critical" / "unusable" / "status_changes.csv"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "set aside by hand: 4 row(s) moved to raw.quarantine" in out  # 2 issues + 2 changes
    assert cli.main(["build", "--db", str(db), "--no-data-docs", "--no-publish"]) == 0 and len(calls) == 1


def test_data_docs_open_in_a_browser_without_network(run_a, tmp_path):
    """The page the CLI prints (gate-run.html) works offline and links every suite's GX validation page."""
    from tests.browser import visit

    _, report = run_a
    assert report.data_docs.name == "gate-run.html"
    seen = visit(report.data_docs, tmp_path / "gate-run.png")
    assert seen.problems == []
    assert f"gate passed: {report.rows_quarantined} row(s) moved to raw.quarantine" in seen.text
    # the corpus quarantines rows of csv__status_changes: its row shows the failed checks
    assert "csv__status_changes" in seen.text and "values_not_huge" in seen.text
    # every suite's validation page exists and opens, unstyled but complete, without network
    links = re.findall(r'href="(validations/[^"]+)"', report.data_docs.read_text())
    assert links and all((report.data_docs.parent / link).exists() for link in links)
    page = visit(report.data_docs.parent / links[0], tmp_path / "validation.png")
    assert "Expectation Validation Result" in page.text
