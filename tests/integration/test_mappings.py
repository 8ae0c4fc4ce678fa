"""Pointing Flowmart at a real tracker instance (issue 17, docs/mapping-templates): mapping by id, `unknown`
never active, `flowmart mappings draft|check`, `exclude`, configured stages, no invented start times, and
templates that build. Real landing, real dbt builds, real DuckDB files."""

from __future__ import annotations

import copy
import csv
import json
import shutil
from pathlib import Path

import pytest

from flowmart.cli import main
from flowmart.dbt import DbtSettings, run_dbt
from flowmart.landing import land
from tests.integration import devlake_lifecycles as devlake
from tests.integration.conftest import REPO, SHARED_DATASETS, project_copy, query

FIXTURES = REPO / "tests" / "fixtures"
TEMPLATES = REPO / "docs" / "mapping-templates"
BUILD = ["build", "--exclude-resource-type", "unit_test"]
needs_shared = pytest.mark.skipif(
    not SHARED_DATASETS.exists(), reason="../shared/datasets is not here (a user's clone)"
)


def set_states_by_id(seed: Path, states: dict[str, str]) -> list[str]:
    """Give the rows of ``seed`` whose status_id is in ``states`` their flow state (and a stage): the one
    hand edit a new team makes to the draft. Returns the ids edited."""
    with seed.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    edited = []
    for row in rows:
        if row["status_id"] in states:
            row["flow_state"] = states[row["status_id"]]
            row["stage"] = {"new": "Discover", "done": "Release"}[states[row["status_id"]]]
            edited.append(row["status_id"])
    with seed.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return sorted(edited)


def rounded(value):
    return None if value is None else round(value, 6)


@needs_shared
def test_real_jira_pages_land_draft_copy_build_and_match_lifecycles_worked_out_by_hand(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    assert all(r.status == "landed" for r in land(db, [SHARED_DATASETS / "jira", SHARED_DATASETS / "jira_extra"]))

    draft = tmp_path / "draft"
    assert main(["mappings", "draft", "--db", str(db), "--out", str(draft)]) == 0
    statuses = list(csv.DictReader((draft / "status_mappings.csv").open(encoding="utf-8")))
    by_id = {row["status_id"]: row for row in statuses}
    # by id, one row per id: status 3 was renamed ("In Development" -> "In Progress") and has one row
    assert by_id["3"]["status"] == "In Progress" and by_id["3"]["flow_state"] == "active"
    assert "In Development" in by_id["3"]["note"]
    # the four ids histories use but the site's status list no longer has: no category, proposed unknown
    assert {i for i, row in by_id.items() if row["flow_state"] == "unknown"} == {"5", "10000", "10020", "10029"}
    # statusCategory done -> done for the Chinese 已完成 (10068); new -> new for To Do (10033)
    assert (by_id["10068"]["flow_state"], by_id["10033"]["flow_state"]) == ("done", "new")
    types = {row["tracker_item_type_id"]: row for row in csv.DictReader((draft / "flow_item_types.csv").open())}
    # 子任务 is flagged a sub-task by Jira, Epic by name: neither is a flow item; 缺陷 (defect) by name
    assert (types["10003"]["flow_item_type"], types["10000"]["flow_item_type"]) == ("exclude", "exclude")
    assert types["10004"]["flow_item_type"] == "defect"
    rules = list(csv.DictReader((draft / "stream_assignment_rules.csv").open()))
    assert {r["match_value"]: r["value_stream_id"] for r in rules} == {"EE": "ee", "K5": "k5"}

    # copy into seeds/, the one hand edit: the states of the four deleted status ids, given by id
    project = project_copy(tmp_path)
    for path in draft.glob("*.csv"):
        shutil.copy(path, project / "seeds" / path.name)
    assert set_states_by_id(project / "seeds" / "status_mappings.csv", devlake.DELETED_STATUS_STATES) == [
        "10000",
        "10020",
        "10029",
        "5",
    ]
    capsys.readouterr()
    assert main(["mappings", "check", "--db", str(db), "--project-dir", str(project)]) == 0
    assert "every status, item type and item is mapped" in capsys.readouterr().err

    run_dbt(db, BUILD, DbtSettings(project_dir=project, as_of=devlake.AS_OF))
    rows = query(
        db,
        """
        select item_key, current_status_id, current_flow_state, strftime(started_at, '%Y-%m-%d %H:%M:%S.%f'),
            strftime(finished_at, '%Y-%m-%d %H:%M:%S.%f'), reopen_count, flow_time_days, active_days,
            flow_efficiency
        from marts.fct_work_items
        """,
    )
    actual = {row[0]: row[1:] for row in rows}
    assert len(actual) == 33
    assert len(devlake.EXPECTED) >= 10
    for key, want in devlake.EXPECTED.items():
        expected = dict(want)
        if expected["current_flow_state"] == "canceled":
            # Flowmart gives canceled items no active time (docs/metrics.md: they count in no flow time)
            expected["active_days"] = None
        status_id, state, started, finished, reopens, flow_time, active, efficiency = actual[key]
        got = {
            "current_status_id": status_id,
            "current_flow_state": state,
            "started_at": started and started.removesuffix(".000000") if started else None,
            "finished_at": finished and finished.removesuffix(".000000") if finished else None,
            "reopen_count": reopens,
            "flow_time_days": rounded(flow_time),
            "active_days": rounded(active),
            "flow_efficiency": rounded(efficiency),
        }
        for name in ("started_at", "finished_at"):
            if expected[name] is not None:
                expected[name] = expected[name].removesuffix(".000000")
        # Flowmart counts durations in whole seconds (dbt.datediff in seconds counts the second boundaries
        # crossed), the hand arithmetic in milliseconds: each interval may differ by under one second
        # (1 s = 0.0000116 d), a sum of intervals by under a second per interval (at most 9 here)
        durations = ("flow_time_days", "active_days", "flow_efficiency")
        assert {k: v for k, v in got.items() if k not in durations} == {
            k: v for k, v in expected.items() if k not in durations
        }, key
        for name in durations:
            if expected[name] is None:
                assert got[name] is None, (key, name)
            else:
                tolerance = 1e-5 if name == "flow_efficiency" else 10 / 86400
                assert got[name] == pytest.approx(expected[name], abs=tolerance), (key, name)
    # epics and sub-tasks: kept, counted, in no flow metric
    [(excluded,)] = query(
        db, "select sum(affected_count) from marts.fct_data_quality where check_name = 'excluded_item'"
    )
    assert excluded == 14  # 13 子任务 (sub-tasks) + 1 Epic, as the draft's notes count them


@needs_shared
def test_shipped_seeds_never_start_an_item_in_an_unknown_status_and_name_every_unknown_id(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    land(db, [SHARED_DATASETS / "jira", SHARED_DATASETS / "jira_extra"])
    capsys.readouterr()
    assert main(["check", "--db", str(db)]) == 0
    captured = capsys.readouterr()
    gate = captured.out + captured.err
    # the gate names the two statuses no row covers and no status list knows, as the row to add
    assert "unknown, neither started nor finished" in gate
    assert "jira,merico.atlassian.net,10029,Ready for Dev" in gate
    assert "jira,merico.atlassian.net,10020,Inbox" in gate

    run_dbt(db, BUILD, DbtSettings(as_of=devlake.AS_OF))
    # Inbox (10020) and Ready for Dev (10029): no seed row by id or name, deleted from the status list
    assert query(
        db,
        """
        select distinct status_id, flow_state, mapped_by, stage from marts.fct_status_intervals
        where status_id in ('10020', '10029') order by 1
        """,
    ) == [("10020", "unknown", "unknown", None), ("10029", "unknown", "unknown", None)]
    # no item starts in an unknown status: every start is the entry of an active or waiting interval
    assert query(
        db,
        """
        select count(*) from marts.fct_work_items as items
        inner join marts.fct_status_intervals as intervals
            on items.work_item_id = intervals.work_item_id and items.started_at = intervals.entered_at
        where intervals.flow_state = 'unknown'
        """,
    ) == [(0,)]
    # an item whose only statuses are unknown and new gets no start and no flow time. EE-2 (worked out
    # in devlake_lifecycles.py): Inbox 10020 -> To Do 10000 -> Closed 6 -> 已完成 10068, never active
    assert query(
        db, "select started_at, flow_time_days, has_unknown_status from marts.fct_work_items where item_key = 'EE-2'"
    ) == [(None, None, True)]
    [(examples,)] = query(
        db,
        """
        select string_agg(example_values, ' | ') from marts.fct_data_quality
        where check_name = 'unknown_status' and affected_count > 0
        """,
    )
    assert "jira,merico.atlassian.net,10020,Inbox,,<flow_state>,<stage>," in examples
    assert "jira,merico.atlassian.net,10029,Ready for Dev,,<flow_state>,<stage>," in examples

    # the review report lists them too (2020-H2: the rows with their ids)
    out = tmp_path / "reports"
    assert main(["report", "--db", str(db), "--half", "2020-H2", "--out", str(out), "--no-pdf"]) == 0
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "jira,merico.atlassian.net,10029,Ready for Dev" in html


def github_issue(base: dict, number: int, created: str, assignees: list[str]) -> dict:
    issue = copy.deepcopy(base)
    issue.update(
        id=2200000000 + number,
        number=number,
        title=f"Issue {number}",
        labels=[],
        state="open",
        state_reason=None,
        closed_at=None,
        created_at=created,
        updated_at=created,
        assignees=[{"login": login, "id": 9000 + i} for i, login in enumerate(assignees)],
        assignee={"login": assignees[0], "id": 9000} if assignees else None,
    )
    for name in ("url", "html_url", "events_url", "comments_url", "labels_url"):
        if issue.get(name):
            issue[name] = issue[name].replace("/105", f"/{number}")
    return issue


def test_an_open_github_issue_whose_assignment_is_older_than_the_events_gets_no_invented_start(tmp_path):
    issues = json.loads((FIXTURES / "github" / "issues_page_001.json").read_text())
    events = json.loads((FIXTURES / "github" / "issue_events_page_001.json").read_text())
    base = next(i for i in issues if i["number"] == 105)
    page = [
        # 201: created 2025-12-01, assigned, still open; its assignment is not among the landed events
        github_issue(base, 201, "2025-12-01T09:00:00Z", ["dana-k"]),
        # 202: created 2026-09-01, assigned on 2026-10-01 12:00 (an event that did land)
        github_issue(base, 202, "2026-09-01T09:00:00Z", ["lee-m"]),
    ]
    event = copy.deepcopy(next(e for e in events if e["issue"]["number"] == 105))
    event.update(
        id=3202001,
        event="assigned",
        created_at="2026-10-01T12:00:00Z",
        assignee={"login": "lee-m", "id": 9001},
        label=None,
    )
    event["issue"] = page[1]
    (tmp_path / "gh").mkdir()
    (tmp_path / "gh" / "issues_page_001.json").write_text(json.dumps(page))
    (tmp_path / "gh" / "issue_events_page_001.json").write_text(json.dumps([event]))
    db = tmp_path / "w.duckdb"
    assert all(r.status == "landed" for r in land(db, [tmp_path / "gh"]))
    run_dbt(db, BUILD, DbtSettings(as_of="2026-11-01 00:00:00"))

    rows = query(
        db,
        """
        select item_key, current_flow_state, is_wip, is_start_unknown, started_at::varchar, age_days
        from marts.fct_work_items order by item_key
        """,
    )
    # 201 is in progress (in flow load) with its start unknown: no start, no age - not 11 months of age.
    # 202 started at its assignment: age = 2026-11-01 00:00 - 2026-10-01 12:00 = 30.5 days
    assert rows == [
        ("201", "active", True, True, None, None),
        ("202", "active", True, False, "2026-10-01 12:00:00", 30.5),
    ]
    [(affected, examples)] = query(
        db,
        """
        select sum(affected_count), string_agg(example_values, ', ') from marts.fct_data_quality
        where check_name = 'start_unknown' and affected_count > 0
        """,
    )
    assert (affected, examples) == (1, "201")
    # both are in the flow load at the end of the as_of day's eve (2026-10-31): 2 items
    [(load,)] = query(db, "select sum(flow_load) from marts.fct_flow_daily where date_day = date '2026-10-31'")
    assert load == 2


def test_the_mapping_templates_copied_over_the_seeds_build_green_with_every_tracker(tmp_path):
    project = project_copy(tmp_path)
    copied = sorted(path.name for path in TEMPLATES.glob("*.csv"))
    for name in copied:
        shutil.copy(TEMPLATES / name, project / "seeds" / name)
    # every mapping seed has a template (label_states is generic and kept)
    assert set(copied) == {p.name for p in (REPO / "seeds").glob("*.csv")} - {"label_states.csv"}
    db = tmp_path / "w.duckdb"
    land(db, [FIXTURES / "jira_demo_sample", FIXTURES / "github", FIXTURES / "gitlab", FIXTURES / "azure"])
    run_dbt(db, BUILD, DbtSettings(project_dir=project, as_of="2026-11-15 00:00:00"))
    # the templates' streams and stages reach the marts
    assert query(
        db,
        "select stage, stage_order from marts.dim_value_stream_stages where value_stream_id = 'identity_platform' order by 2",
    ) == [("Backlog", 1), ("Build", 2), ("Review", 3), ("Done", 4)]


def test_older_seed_files_without_the_id_columns_still_build(tmp_path):
    project = project_copy(tmp_path)
    # a status_mappings.csv / flow_item_types.csv as written before mapping by id
    (project / "seeds" / "status_mappings.csv").write_text(
        "source,status,value_stream_id,flow_state,stage\ncsv,open,,new,Discover\ncsv,in progress,,active,Build\n"
        "csv,closed,,done,Release\n"
    )
    (project / "seeds" / "flow_item_types.csv").write_text(
        "source,tracker_item_type,label,flow_item_type\ncsv,story,,feature\ncsv,bug,,defect\n"
    )
    db = tmp_path / "w.duckdb"
    land(db, [FIXTURES / "marts" / "landing"])
    run_dbt(db, BUILD, DbtSettings(project_dir=project, as_of="2026-04-01 00:00:00"))
    assert (
        query(db, "select count(*) from marts.fct_work_items where flow_item_type in ('feature', 'defect')")[0][0] > 0
    )
