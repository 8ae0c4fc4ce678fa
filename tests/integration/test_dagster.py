"""Dagster: the definitions load, the whole graph materializes on fixture exports, a blocking check stops dbt.

Real things throughout: a DuckDB file and a landing folder in tmp dirs, real landing, a real `dbt build`
(dagster-dbt subprocess), an in-process `dagster.materialize`.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from flowmart import trackers
from tests import jira_payloads as jp

WORK_ITEMS_HEADER = (
    "source,instance,item_key,title,item_type,project,components,labels,area_path,parent_key,status,"
    "status_category,resolution,created_at,updated_at,resolved_at\n"
)


def write_fixture_exports(landing: Path) -> None:
    """Two Jira issues (one search page) and one CSV item with two status changes."""
    h1 = jp.history("1001", "2024-01-03T09:00:00.000+0100", "To Do", "In Progress")
    h2 = jp.history("1002", "2024-01-05T10:00:00.000+0100", "In Progress", "Done")
    h3 = jp.history("1003", "2024-01-04T09:00:00.000+0100", "To Do", "In Progress")
    jp.write(
        landing / "jira" / "search_001.json",
        jp.search_page(
            [
                jp.issue(
                    "101",
                    "PAY-1",
                    "2024-01-02T09:00:00.000+0100",
                    "2024-01-05T10:00:00.000+0100",
                    histories=[h1, h2],
                    resolution="Done",
                ),
                jp.issue(
                    "102",
                    "PAY-2",
                    "2024-01-02T09:00:00.000+0100",
                    "2024-01-04T09:00:00.000+0100",
                    current_status="In Progress",
                    category="indeterminate",
                    histories=[h3],
                ),
            ]
        ),
    )
    (landing / "work_items.csv").write_text(  # top level: routed to the csv source by its extension
        WORK_ITEMS_HEADER
        + "youtrack,acme,YT-1,First,Bug,CORE,,,,,Done,done,Fixed,2024-01-01T10:00:00Z,2024-01-03T09:00:00Z,"
        "2024-01-03T09:00:00Z\n"
    )
    (landing / "csv").mkdir(parents=True, exist_ok=True)
    (landing / "csv" / "status_changes.csv").write_text(
        "source,instance,item_key,change_id,changed_at,from_status,to_status\n"
        "youtrack,acme,YT-1,1,2024-01-02T12:00:00Z,Open,In Progress\n"
        "youtrack,acme,YT-1,2,2024-01-03T09:00:00Z,In Progress,Done\n"
    )


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    db = tmp_path / "warehouse" / "flowmart.duckdb"
    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("FLOWMART_DB", str(db))
    monkeypatch.setenv("FLOWMART_LANDING_DIR", str(landing))
    return db, landing


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs


def pipeline_assets():
    """Landing, quality checks and dbt assets: everything but the report."""
    from orchestration.dbt import DBT_ASSETS
    from orchestration.landing import LANDING_ASSETS
    from orchestration.quality import LANDED_ROWS_ASSET, QUALITY_ASSETS, QUALITY_CHECKS

    return [*LANDING_ASSETS, LANDED_ROWS_ASSET, *QUALITY_ASSETS, *QUALITY_CHECKS, *DBT_ASSETS]


def gate_config(docs_dir):
    return {"ops": {"quality_gate": {"config": {"data_docs_dir": str(docs_dir) if docs_dir else None}}}}


def resources():
    from orchestration.resources import WarehouseResource, dbt_resource

    return {"warehouse": WarehouseResource(), "dbt": dbt_resource()}


def materialized(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    return {
        e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }


# ---------------------------------------------------------------------------------------------


def raw_keys() -> set[str]:
    return {
        f"raw/{t}"
        for t in (
            "jira_issues",
            "jira_changelog_items",
            "jira_statuses",
            "csv_work_items",
            "csv_status_changes",
        )
    }


def test_definitions_load_as_one_graph(defs):
    dg.Definitions.validate_loadable(defs)
    graph = defs.get_repository_def().asset_graph
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    raw = raw_keys()
    assert raw <= keys
    assert {"staging/stg_jira__issues", "staging/stg_csv__work_items", "report/semiannual_review"} <= keys

    # dbt sources are the landing assets: one lineage graph, no separate source stubs; a model that reads
    # the raw tables also waits for the quality gate's verdict (raw/validation_results)
    parents = {k.to_user_string() for k in graph.get(dg.AssetKey(["staging", "stg_jira__issues"])).parent_keys}
    assert parents == {"raw/jira_issues", "raw/validation_results"}
    assert {k.to_user_string() for k in graph.get(dg.AssetKey(["raw", "validation_results"])).parent_keys} == {
        f"raw/{t.name}" for t in trackers.raw_tables()
    }
    for key in raw:
        assert graph.get(dg.AssetKey.from_user_string(key)).is_materializable

    # groups by layer: landing, then each warehouse schema dbt builds (mappings, staging, intermediate, marts, ...)
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {"landing", "mappings", "staging", "intermediate", "marts", "report"} <= groups
    for key in graph.get_all_asset_keys():
        expected = "landing" if key.path[0] == "raw" else key.path[0]
        assert graph.get(key).group_name == expected, key
    # the report hangs below every mart
    report_parents = graph.get(dg.AssetKey(["report", "semiannual_review"])).parent_keys
    marts = {k for k in graph.get_all_asset_keys() if graph.get(k).group_name == "marts"}
    assert report_parents == marts

    # the gate's verdict is a blocking check; a GX check reports on every raw table; dbt tests are checks
    checks = graph.asset_check_keys
    assert dg.AssetCheckKey(dg.AssetKey(["raw", "validation_results"]), "gate_passed") in checks
    for key in raw:
        assert dg.AssetCheckKey(dg.AssetKey.from_user_string(key), "great_expectations") in checks
    assert any(c.asset_key == dg.AssetKey(["staging", "stg_jira__issues"]) for c in checks)

    assert {j.name for j in defs.jobs} >= {"flowmart_refresh", "flowmart_review"}
    assert {s.name for s in defs.schedules} == {"daily_refresh", "semiannual_review"}
    assert {s.name for s in defs.sensors} == {"landing_folder_sensor"}


def test_review_schedule_run_config_is_valid_for_the_review_job(defs):
    from datetime import UTC, datetime

    schedule = defs.get_schedule_def("semiannual_review")
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 7, 1, 7, 0, tzinfo=UTC))
    [request] = list(schedule.evaluate_tick(context).run_requests)
    assert request.tags["flowmart/half"] == "2026-H1"
    assert request.tags["flowmart/as_of"] == "2026-06-30 23:59:59"
    job = defs.resolve_job_def("flowmart_review")
    assert job.tags["flowmart/duckdb"] == "writer"
    dg.validate_run_config(job, request.run_config)


@pytest.mark.slow
def test_materialize_whole_graph_on_fixture_exports(warehouse):
    db, landing = warehouse
    write_fixture_exports(landing)

    # Data Docs off: they take seconds to render and the gate's own tests cover them
    result = dg.materialize(pipeline_assets(), resources=resources(), run_config=gate_config(None))

    assert result.success
    events = materialized(result)
    # raw: 2 issues; changelog items = PAY-1's 2 histories + PAY-2's 1 = 3; csv: 1 item, 2 changes
    assert events["raw/jira_issues"]["dagster/row_count"] == 2
    assert events["raw/jira_changelog_items"]["dagster/row_count"] == 3
    assert events["raw/csv_work_items"]["rows_landed_this_run"] == 1
    assert events["raw/csv_status_changes"]["dagster/row_count"] == 2
    # csv_work_items.csv sits at the top level and status_changes.csv in csv/: both are the csv source's
    assert events["raw/csv_work_items"]["files_landed"] == 2
    assert events["raw/jira_issues"]["files_refused"] == 0

    # every dbt model was built; tables carry row counts
    marts = {k for k in events if k.startswith("marts/")}
    assert marts, "no mart was materialized"
    with duckdb.connect(str(db), read_only=True) as con:
        built = {
            f"marts/{name}"
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        assert marts <= built
        if "marts/fct_work_items" in events:
            # 3 work items: PAY-1, PAY-2 (Jira) and YT-1 (CSV)
            assert con.execute("select count(*) from marts.fct_work_items").fetchone()[0] == 3
            assert events["marts/fct_work_items"]["dagster/row_count"] == 3
    # the quality gate ran on every raw table: no critical failure
    evaluations = result.get_asset_check_evaluations()
    gate = {e.asset_key.to_user_string(): e for e in evaluations if e.check_name == "great_expectations"}
    # ... every raw table with a suite: Jira, CSV, and GitHub / GitLab / Azure Boards / Linear (expectations/)
    from orchestration.quality import GATE_TABLES

    assert set(raw_keys()) <= set(gate) == {f"raw/{t}" for t in GATE_TABLES}
    assert "raw/github_issues" in gate and gate["raw/github_issues"].metadata["rows_checked"].value == 0
    assert all(e.metadata["critical_failures"].value == 0 for e in gate.values())
    assert gate["raw/jira_issues"].metadata["rows_checked"].value == 2
    # dbt tests ran as asset checks, and passed
    dbt_checks = [e for e in evaluations if e.check_name != "great_expectations" and e.asset_key.path[0] != "raw"]
    assert dbt_checks and all(e.passed for e in dbt_checks)

    # the review report, downstream of the marts (numbers read straight from the marts just built; the
    # rebuild as of the half's end and the PDF are the report's own tests' business)
    from orchestration.report import REPORT_ASSETS

    review = dg.materialize(
        REPORT_ASSETS,
        resources=resources(),
        run_config={
            "ops": {
                "report__semiannual_review": {
                    "config": {
                        "half": "2024-H1",
                        "out_dir": str(db.parent / "reports"),
                        "pdf": False,
                        "trials": 200,
                        "rebuild_as_of": False,
                    }
                }
            }
        },
    )
    report = materialized(review)["report/semiannual_review"]
    assert (report["half"], report["as_of"]) == ("2024-H1", "2024-06-30 23:59:59")
    assert Path(report["html_path"]).is_file() and Path(report["html_path"]).parent == db.parent / "reports"
    assert report["snapshot_rows"] > 0

    # landing again lands nothing new: every file is skipped
    from orchestration.landing import LANDING_ASSETS

    again = materialized(dg.materialize(LANDING_ASSETS, resources=resources()))
    assert again["raw/jira_issues"]["rows_landed_this_run"] == 0
    assert again["raw/jira_issues"]["files_skipped"] == 1
    assert again["raw/csv_work_items"]["files_skipped"] == 2


def test_failing_blocking_check_stops_the_dbt_assets(warehouse):
    db, landing = warehouse
    write_fixture_exports(landing)
    # a truncated export: landing refuses it, and the gate's file-level check `file_landed` is critical
    (landing / "search_002.json").write_text('{"startAt": 0, "issues": [{"id": "103", "key": "PAY-3"')

    result = dg.materialize(
        pipeline_assets(), resources=resources(), run_config=gate_config(None), raise_on_error=False
    )

    assert not result.success
    events = materialized(result)
    assert events["raw/jira_issues"]["files_refused"] == 1  # landing ran, the good files landed
    assert events["raw/jira_issues"]["dagster/row_count"] == 2
    assert not [k for k in events if not k.startswith("raw/")], "a dbt asset ran despite the blocking check"
    evaluations = {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}
    failed = evaluations["raw/jira_issues"]
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    assert failed.metadata["critical_failures"].value == 1
    assert "file_landed" in failed.metadata["failed_expectations"].value
    assert "search_002.json" in failed.metadata["failed_expectations"].value
    # the gate's verdict failed (that is what blocked dbt) ...
    verdict = evaluations.pop("raw/validation_results")
    assert verdict.check_name == "gate_passed" and not verdict.passed
    # ... and the refused Jira file counts against Jira only: no other table has a critical failure
    others = [e for k, e in evaluations.items() if k != "raw/jira_issues"]
    assert others and all(e.severity == dg.AssetCheckSeverity.WARN or e.passed for e in others)
    with duckdb.connect(str(db), read_only=True) as con:
        schemas = {s for (s,) in con.execute("select schema_name from information_schema.schemata").fetchall()}
    assert "marts" not in schemas
