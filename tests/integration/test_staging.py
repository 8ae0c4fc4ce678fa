"""Staging on real landed files, built with real dbt: snapshots, UTC conversion, changelog merge."""

from __future__ import annotations

import pytest

from flowmart.landing import land
from tests import jira_payloads as jp
from tests.integration.conftest import SHARED_DATASETS, query

pytestmark = pytest.mark.slow


def test_jira_staging_newest_snapshot_utc_and_changelog_merge(tmp_path, dbt):
    db = tmp_path / "w.duckdb"
    # PAY-1: 3 histories exist, the search response embeds only the first 2 (total 3), a changelog page has all 3
    h1 = jp.history("1001", "2024-01-03T09:00:00.000+0100", "To Do", "In Progress")
    h2 = jp.history("1002", "2024-01-04T17:30:00.000-0500", "In Progress", "In Review")
    h3 = jp.history("1003", "2024-01-05T10:00:00.000+0530", "In Review", "Done")
    monday = jp.search_page(
        [
            jp.issue(
                "101",
                "PAY-1",
                "2024-01-02T09:00:00.000+0100",
                "2024-01-04T17:30:00.000-0500",
                current_status="In Review",
                category="indeterminate",
                histories=[h1, h2],
                total=3,
            ),
        ]
    )
    tuesday = jp.search_page(
        [
            jp.issue(
                "101",
                "PAY-1",
                "2024-01-02T09:00:00.000+0100",
                "2024-01-05T10:00:00.000+0530",
                histories=[h1, h2],
                total=3,
                labels=["backend", "security"],
                components=["Payments API"],
            ),
        ]
    )
    files = [
        jp.write(tmp_path / "in" / "tuesday.json", tuesday),  # landed first on purpose: staging orders by `updated`
        jp.write(tmp_path / "in" / "monday.json", monday),
        jp.write(tmp_path / "in" / "changelog" / "PAY-1_page_001.json", jp.changelog_page("PAY-1", [h1, h2, h3])),
    ]
    assert [r.status for r in land(db, files)] == ["landed"] * 3
    dbt(db, "build", "--select", "path:models/staging/jira", "path:models/staging/csv", "path:models/intermediate/jira")

    [issue] = query(
        db,
        "select work_item_id, current_status, created_at::varchar, updated_at::varchar, labels, "
        "components, changelog_total from staging.stg_jira__issues",
    )
    # newest snapshot = tuesday (updated 2024-01-05 10:00+05:30 = 04:30 UTC > monday's 2024-01-04 22:30 UTC)
    # created 09:00+01:00 = 08:00 UTC
    assert issue == (
        "jira:tests.atlassian.net:PAY-1",
        "Done",
        "2024-01-02 08:00:00",
        "2024-01-05 04:30:00",
        "|backend|security|",
        "|Payments API|",
        3,
    )

    changes = query(
        db,
        "select change_id, changed_at::varchar, from_status, to_status, count(*) as copies "
        "from intermediate.int_jira__status_changes group by all order by 2",
    )
    # every landed copy is here (int_status_changes_unioned keeps one): h1, h2 appear in both
    # snapshots and the page (3 copies each), h3 only in the page (1); times in UTC:
    # 09:00+01:00 -> 08:00; 17:30-05:00 -> 22:30; 10:00+05:30 -> 04:30
    assert changes == [
        ("1001", "2024-01-03 08:00:00", "To Do", "In Progress", 3),
        ("1002", "2024-01-04 22:30:00", "In Progress", "In Review", 3),
        ("1003", "2024-01-05 04:30:00", "In Review", "Done", 1),
    ]
    # the page addressed the issue by key; int_jira__changelog_items resolved its id
    assert query(db, "select distinct issue_id from intermediate.int_jira__changelog_items") == [("101",)]
    # h1, h2, h3 counted once each although h1 and h2 landed three times (two snapshots and the page)
    assert query(db, "select issue_id, history_landed_count from intermediate.int_jira__changelog_history_counts") == [
        ("101", 3)
    ]


def test_csv_staging(tmp_path, dbt):
    db = tmp_path / "w.duckdb"
    header = (
        "source,instance,item_key,title,item_type,project,components,labels,area_path,parent_key,status,"
        "status_category,resolution,created_at,updated_at,resolved_at\n"
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "work_items.csv").write_text(
        header
        + "YouTrack,acme,YT-1,First,Task,CORE,,a; b,,,Open,new,,2024-01-01T10:00:00+02:00,2024-01-01T10:00:00+02:00,\n"
    )
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "work_items.csv").write_text(
        header
        + "YouTrack,acme,YT-1,First,Task,CORE,,a; b,,,Done,done,Fixed,2024-01-01T10:00:00+02:00,2024-01-03T09:00:00Z,2024-01-03T09:00:00Z\n"
    )
    (tmp_path / "a" / "status_changes.csv").write_text(
        "source,instance,item_key,change_id,changed_at,from_status,to_status\n"
        "YouTrack,acme,YT-1,c1,2024-01-02T12:00:00-03:00,Open,In Progress\n"
    )
    (tmp_path / "b" / "status_changes.csv").write_text(
        "source,instance,item_key,change_id,changed_at,from_status,to_status\n"
        "YouTrack,acme,YT-1,c1,2024-01-02T12:00:00-03:00,Open,In Progress\n"
        "YouTrack,acme,YT-1,c2,2024-01-03T09:00:00Z,In Progress,Done\n"
    )
    assert all(r.status == "landed" for r in land(db, [tmp_path / "a", tmp_path / "b"]))
    dbt(db, "build", "--select", "path:models/staging/jira", "path:models/staging/csv")
    # newest snapshot: updated 2024-01-03 09:00 UTC beats 2024-01-01 08:00 UTC
    assert query(
        db, "select work_item_id, current_status, labels, created_at::varchar from staging.stg_csv__work_items"
    ) == [("youtrack:acme:YT-1", "Done", "|a|b|", "2024-01-01 08:00:00")]
    # c1 is in both files: kept once; 12:00-03:00 = 15:00 UTC
    assert query(db, "select change_id, changed_at::varchar from staging.stg_csv__status_changes order by 1") == [
        ("c1", "2024-01-02 15:00:00"),
        ("c2", "2024-01-03 09:00:00"),
    ]


@pytest.mark.skipif(not SHARED_DATASETS.exists(), reason="../shared/datasets is not here (a user's clone)")
def test_real_jira_payloads_through_staging(tmp_path, dbt):
    db = tmp_path / "w.duckdb"
    land(db, [SHARED_DATASETS / "jira", SHARED_DATASETS / "jira_extra"])
    dbt(db, "build", "--select", "path:models/staging/jira", "path:models/staging/csv")
    assert query(db, "select count(*) from staging.stg_jira__issues") == [(33,)]
    # EE-1 was created 2020-06-12T08:13:13.360+0800 -> 00:13 UTC (see search_page_001.json)
    [(created,)] = query(
        db, "select strftime(created_at, '%Y-%m-%d %H:%M') from staging.stg_jira__issues where item_key = 'EE-1'"
    )
    assert created == "2020-06-12 00:13"
    # no status change lost its time: every +0800 timestamp parsed
    assert query(
        db, "select count(*) from staging.stg_jira__changelog_items where field = 'status' and changed_at is null"
    ) == [(0,)]
