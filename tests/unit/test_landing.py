"""Landing: lineage, idempotency, atomicity, refusals — real DuckDB files in a tmp dir."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from flowmart.landing import land
from tests import jira_payloads as jp

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "devlake-samples"


def two_issue_page() -> dict:
    return jp.search_page(
        [
            jp.issue(
                "101",
                "PAY-1",
                "2024-01-02T09:00:00.000+0100",
                "2024-01-05T10:00:00.000+0100",
                histories=[
                    jp.history("1001", "2024-01-03T09:00:00.000+0100", "To Do", "In Progress"),
                    jp.history("1002", "2024-01-05T10:00:00.000+0100", "In Progress", "Done"),
                ],
                labels=["backend", "security"],
                components=["Payments API"],
            ),
            jp.issue(
                "102",
                "PAY-2",
                "2024-01-04T08:00:00.000-0500",
                "2024-01-04T08:00:00.000-0500",
                current_status="To Do",
                category="new",
            ),
        ]
    )


def count(db: Path, sql: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def test_the_issue_type_id_lands_in_a_column_and_an_older_warehouse_gets_it_from_the_fields_it_kept(tmp_path):
    from flowmart.warehouse import ensure_raw_schema

    db = tmp_path / "w.duckdb"
    page = two_issue_page()
    page["issues"][1]["fields"]["issuetype"]["id"] = "10002"  # PAY-1 keeps the payload's 10001
    land(db, [jp.write(tmp_path / "in" / "page1.json", page)])
    query = "select issue_key, issue_type_id from raw.jira_issues order by issue_key"
    with duckdb.connect(str(db)) as con:
        # each issue's fields.issuetype.id, as the page has it
        assert con.execute(query).fetchall() == [("PAY-1", "10001"), ("PAY-2", "10002")]
        # a warehouse landed before the column existed: the column is added and filled from `fields`, once
        con.execute("alter table raw.jira_issues drop column issue_type_id")
        ensure_raw_schema(con)
        assert con.execute(query).fetchall() == [("PAY-1", "10001"), ("PAY-2", "10002")]
        # and not again: a value already there is left as it is
        con.execute("update raw.jira_issues set issue_type_id = 'kept' where issue_key = 'PAY-1'")
        ensure_raw_schema(con)
        assert con.execute(query).fetchall() == [("PAY-1", "kept"), ("PAY-2", "10002")]


def test_search_page_lands_issues_and_changelog_items_with_lineage(tmp_path):
    db = tmp_path / "w.duckdb"
    page = jp.write(tmp_path / "in" / "page1.json", two_issue_page())
    [result] = land(db, [page])
    assert (result.status, result.kind, result.rows) == ("landed", "jira_search", 2)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select issue_key, instance, created, labels::varchar, components::varchar, changelog_total, "
            "embedded_history_count, _source_file, _record_position, length(_file_hash) "
            "from raw.jira_issues order by _record_position"
        ).fetchall()
        assert rows[0] == (
            "PAY-1",
            jp.SITE,
            "2024-01-02T09:00:00.000+0100",
            '["backend","security"]',
            '["Payments API"]',
            2,
            2,
            str(page.resolve()),
            1,
            64,
        )
        assert rows[1][0] == "PAY-2" and rows[1][8] == 2
        items = con.execute(
            "select issue_key, history_id, field, from_string, to_string, origin, _record_position "
            "from raw.jira_changelog_items order by _record_position"
        ).fetchall()
        assert items == [
            ("PAY-1", "1001", "status", "To Do", "In Progress", "search", 1),
            ("PAY-1", "1002", "status", "In Progress", "Done", "search", 2),
        ]
        log = con.execute("select status, kind, rows, reason from raw.landing_log").fetchall()
        assert log == [("landed", "jira_search", 2, None)]


def test_a_landing_sets_its_duckdb_settings_and_gives_the_connection_back_as_it_was(tmp_path):
    from flowmart.landing import LANDING_SETTINGS, land_files

    page = jp.write(tmp_path / "page1.json", two_issue_page())
    names = ", ".join(f"'{name}'" for name in LANDING_SETTINGS)
    query = f"select name, value from duckdb_settings() where name in ({names}) order by name"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("set checkpoint_threshold = '32MB'")  # a caller's own setting (32 MB = 30.5 MiB)
        before = con.execute(query).fetchall()
        seen_during = []
        land_files(con, [page], progress=lambda *_: seen_during.append(con.execute(query).fetchall()))
        assert con.execute(query).fetchall() == before
    # DuckDB shows most sizes in its own units (1GB = 1e9 bytes = 953.6 MiB, 4GB = 3.7 GiB), and
    # allocator_flush_threshold as it was given
    assert dict(seen_during[0]) == {
        "checkpoint_threshold": "953.6 MiB",
        "allocator_flush_threshold": "4GB",
        "allocator_bulk_deallocation_flush_threshold": "3.7 GiB",
    }
    assert dict(before)["checkpoint_threshold"] == "30.5 MiB"


def test_flowmart_keeps_duckdbs_freed_memory_ten_seconds_unless_the_environment_says_otherwise(tmp_path):
    import os
    import subprocess
    import sys

    code = "import flowmart, os; print(os.environ['DUCKDB_JE_MALLOC_CONF'])"
    env = {key: value for key, value in os.environ.items() if key != "DUCKDB_JE_MALLOC_CONF"}
    ours = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert ours.stdout.strip() == "dirty_decay_ms:10000"
    theirs = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DUCKDB_JE_MALLOC_CONF": "dirty_decay_ms:500"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert theirs.stdout.strip() == "dirty_decay_ms:500"


def test_same_file_twice_adds_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    page = jp.write(tmp_path / "page1.json", two_issue_page())
    land(db, [page])
    copy = jp.write(tmp_path / "copy_of_page1.json", two_issue_page())  # same bytes, other name
    results = land(db, [page, copy])
    assert [r.status for r in results] == ["skipped", "skipped"]
    assert count(db, "select count(*) from raw.jira_issues") == 2
    assert count(db, "select count(*) from raw.jira_changelog_items") == 2
    assert count(db, "select count(*) from raw.landing_log where status = 'skipped'") == 2


def test_overlapping_exports_keep_both_snapshots(tmp_path):
    db = tmp_path / "w.duckdb"
    first = jp.write(tmp_path / "monday.json", two_issue_page())
    later = two_issue_page()
    later["issues"][1]["fields"]["updated"] = "2024-01-08T08:00:00.000-0500"
    second = jp.write(tmp_path / "tuesday.json", later)
    assert [r.status for r in land(db, [first, second])] == ["landed", "landed"]
    # 2 issues x 2 snapshots; staging picks the newest (tested with dbt in tests/integration)
    assert count(db, "select count(*) from raw.jira_issues") == 4
    assert count(db, "select count(distinct _file_hash) from raw.jira_issues") == 2


def test_truncated_file_lands_nothing_and_others_still_land(tmp_path):
    db = tmp_path / "w.duckdb"
    good = jp.write(tmp_path / "a_good.json", two_issue_page())
    text = json.dumps(two_issue_page())
    broken = tmp_path / "b_broken.json"
    broken.write_text(text[: len(text) // 2])  # cut in the middle of the second issue
    results = land(db, [broken, good])
    assert [r.status for r in results] == ["refused", "landed"]
    assert "JSON" in results[0].reason or "json" in results[0].reason
    assert count(db, f"select count(*) from raw.jira_issues where _source_file = '{broken.resolve()}'") == 0
    assert count(db, "select count(*) from raw.jira_issues") == 2
    log = count(db, "select reason from raw.landing_log where status = 'refused'")
    assert log == results[0].reason


def test_refusal_keeps_what_was_landed_before(tmp_path):
    db = tmp_path / "w.duckdb"
    land(db, [jp.write(tmp_path / "page1.json", two_issue_page())])
    bad = jp.write(tmp_path / "bad.json", {"issues": [{"id": "1", "key": "X-1", "fields": {}}]})
    [result] = land(db, [bad])
    assert result.status == "refused"
    assert result.reason == "cannot tell the Jira site: issue at position 1 has no self URL (pass --instance)"
    assert count(db, "select count(*) from raw.jira_issues") == 2


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.json", "", "empty file"),
        (
            "wrong_shape.json",
            '{"startAt": 0, "things": []}',
            "unrecognised JSON object (expected a Jira search response with 'issues', a changelog page with "
            "'values', a status list or a GitHub issues page or issue events page (JSON arrays) or GitLab issues or "
            "resource state / label events (JSON arrays) or an Azure Boards work item batch or updates list (an "
            "object with 'value')); top-level keys: startAt, things",
        ),
        ("not_array.json", '{"issues": {"id": 1}}', '"issues" is not a JSON array'),
        (
            "A-1_changelog.json",
            '{"self": "https://x.example/rest/api/3/issue/A-1/changelog", "values": {"id": "1"}}',
            '"values" is not a JSON array',
        ),
        (
            "no_key.json",
            json.dumps({"issues": [{"id": "1", "self": "https://x.example/rest/api/2/issue/1"}]}),
            "issue at position 1 lacks id, key or fields",
        ),
        (
            # an issue that is not an object types as a struct of nulls; the page is read again to say so (the
            # second issue is not an object, the first is well formed)
            "issue_not_an_object.json",
            json.dumps(
                jp.search_page(
                    [jp.issue("1", "A-1", "2024-01-01T00:00:00.000+0000", "2024-01-01T00:00:00.000+0000"), 7]
                )
            ),
            "issue at position 2 is not an object",
        ),
        (
            "histories_not_a_list.json",
            json.dumps(
                {
                    "issues": [
                        {
                            "id": "1",
                            "key": "A-1",
                            "self": "https://x.example/rest/api/2/issue/1",
                            "fields": {"created": "2024-01-01T00:00:00.000+0000"},
                            "changelog": {"histories": {"id": "9"}},
                        }
                    ]
                }
            ),
            "issue at position 1: changelog.histories is not an array",
        ),
        ("text.json", "hello", "not JSON (expected a JSON object or array)"),
        ("notes.txt", "hello", "unsupported file type '.txt' (expected .json, .json.gz or .csv)"),
        ("empty_array.json", "[]", "JSON holds no records"),
    ],
)
def test_bad_json_inputs_are_refused_with_reason(tmp_path, name, content, reason):
    db = tmp_path / "w.duckdb"
    path = tmp_path / name
    path.write_text(content)
    [result] = land(db, [path])
    assert (result.status, result.reason) == ("refused", reason)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select file_path, status, reason, rows from raw.landing_log").fetchall() == [
            (str(path.resolve()), "refused", reason, 0)
        ]


WORK_ITEMS_HEADER = (
    "source,instance,item_key,title,item_type,project,components,labels,area_path,parent_key,status,"
    "status_category,resolution,created_at,updated_at,resolved_at\n"
)


def test_csv_interchange_lands_and_bad_csv_is_refused(tmp_path):
    db = tmp_path / "w.duckdb"
    items = tmp_path / "work_items.csv"
    items.write_text(
        WORK_ITEMS_HEADER
        + 'youtrack,acme,YT-1,"Title, with comma",Task,CORE,,a;b,,,Open,new,,2024-01-01T10:00:00+02:00,2024-01-01T10:00:00+02:00,\n'
        + "youtrack,acme,YT-2,Second,Bug,CORE,,,,,Done,done,Fixed,2024-01-02T10:00:00Z,2024-01-03T10:00:00Z,2024-01-03T10:00:00Z\n"
    )
    changes = tmp_path / "status_changes.csv"
    changes.write_text(
        "source,instance,item_key,change_id,changed_at,from_status,to_status\n"
        "youtrack,acme,YT-2,c1,2024-01-02T12:00:00Z,Open,In Progress\n"
    )
    ragged = tmp_path / "ragged" / "work_items.csv"
    ragged.parent.mkdir()
    ragged.write_text(WORK_ITEMS_HEADER + "a,b,c\n")
    missing = tmp_path / "missing" / "status_changes.csv"
    missing.parent.mkdir()
    missing.write_text("source,instance,item_key,change_id,to_status\nyoutrack,acme,YT-1,c9,Done\n")
    latin1 = tmp_path / "latin1" / "status_changes.csv"
    latin1.parent.mkdir()
    latin1.write_bytes(
        b"source,instance,item_key,change_id,changed_at,from_status,to_status\n"
        b"youtrack,acme,YT-1,c2,2024-01-02T12:00:00Z,Open,Erledigt \xe4\n"
    )
    header_only = tmp_path / "header_only" / "status_changes.csv"
    header_only.parent.mkdir()
    header_only.write_text("source,instance,item_key,change_id,changed_at,from_status,to_status\n")

    results = {
        r.path.name + r.path.parent.name: r for r in land(db, [items, changes, ragged, missing, latin1, header_only])
    }
    assert results["work_items.csv" + tmp_path.name].rows == 2
    assert results["status_changes.csv" + tmp_path.name].rows == 1
    assert results["work_items.csvragged"].status == "refused"
    assert results["status_changes.csvmissing"].reason == "csv_status_changes file lacks required column(s): changed_at"
    assert results["status_changes.csvlatin1"].status == "refused"
    assert (
        "UTF-8" in results["status_changes.csvlatin1"].reason
        or "unicode" in results["status_changes.csvlatin1"].reason.lower()
    )
    assert (results["status_changes.csvheader_only"].status, results["status_changes.csvheader_only"].rows) == (
        "landed",
        0,
    )
    assert count(db, "select count(*) from raw.csv_work_items") == 2
    assert count(db, "select count(*) from raw.csv_status_changes") == 1
    assert count(db, "select title from raw.csv_work_items where item_key = 'YT-1'") == "Title, with comma"


def test_changelog_page_by_key_and_bare_array_by_filename(tmp_path):
    db = tmp_path / "w.duckdb"
    histories = [jp.history(str(2000 + i), f"2024-02-0{i + 1}T10:00:00.000+0000", "A", "B") for i in range(3)]
    page = jp.write(tmp_path / "PAY-7_page_001.json", jp.changelog_page("PAY-7", histories))
    bare = jp.write(tmp_path / "changelog_values_issue_4242.json", histories)
    nameless = jp.write(tmp_path / "histories.json", histories[:2])
    results = land(db, [page, bare, nameless])
    assert [(r.status, r.kind, r.rows) for r in results[:2]] == [
        ("landed", "jira_changelog_page", 3),
        ("landed", "jira_changelog_page", 3),
    ]
    assert results[2].status == "refused" and "does not say which issue" in results[2].reason
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "select distinct issue_id, issue_key, instance, origin from raw.jira_changelog_items order by 1 nulls first"
        ).fetchall() == [(None, "PAY-7", jp.SITE, "changelog_page"), ("4242", None, jp.SITE, "changelog_page")]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/datasets is not here (a user's clone)")
def test_real_devlake_jira_payloads_land_as_they_are(tmp_path):
    db = tmp_path / "w.duckdb"
    results = land(db, [SHARED / "jira", SHARED / "jira_extra"])
    assert all(r.status == "landed" for r in results), [r.line() for r in results if r.status != "landed"]
    # README: 33 issues over 3 search pages, 53 statuses, changelog pages of 3 issues
    assert count(db, "select count(*) from raw.jira_issues") == 33
    assert count(db, "select count(*) from raw.jira_statuses") == 53
    assert (
        count(db, "select count(distinct issue_id) from raw.jira_changelog_items where origin = 'changelog_page'") == 3
    )
    assert count(db, "select count(distinct instance) from raw.jira_issues") == 1


def test_batch_of_pages_lands_like_single_files_and_leaves_bad_ones_to_their_own_reason(tmp_path):
    """land_files lands runs of Jira pages in one transaction; the outcome per file must not change."""
    folder = tmp_path / "export"
    first = two_issue_page()
    second = jp.search_page(
        [
            jp.issue(
                "103",
                "PAY-3",
                "2024-02-01T09:00:00.000+0000",
                "2024-02-01T09:00:00.000+0000",
                histories=[jp.history("1003", "2024-02-02T09:00:00.000+0000", "To Do", "Done")],
            )
        ]
    )
    jp.write(folder / "p1.json", first)
    jp.write(folder / "p2.json", second)
    jp.write(folder / "p3_copy_of_p1.json", first)  # same bytes as p1: skipped
    jp.write(folder / "p4_no_site.json", {"issues": [{"id": "9", "key": "X-9", "fields": {"created": "2024-01-01"}}]})
    jp.write(
        folder / "p5_page.json",
        jp.changelog_page("PAY-3", [jp.history("1004", "2024-02-03T09:00:00.000+0000", "Done", "To Do")]),
    )
    # a page and a changelog page whose arrays are not arrays, and an empty page (lands, no rows)
    jp.write(folder / "p6_issues_object.json", {"startAt": 0, "issues": {"id": "1"}})
    jp.write(folder / "p7_empty.json", {"startAt": 0, "issues": []})
    jp.write(
        folder / "PAY-3_p8_values_object.json",
        {"self": "https://x.example/rest/api/3/issue/PAY-3/changelog", "values": {"id": "1"}},
    )
    db = tmp_path / "w.duckdb"
    results = land(db, [folder])
    assert [(r.path.name, r.status, r.rows, r.rows_total) for r in results] == [
        ("PAY-3_p8_values_object.json", "refused", 0, 0),
        ("p1.json", "landed", 2, 4),  # 2 issues + 2 changelog items
        ("p2.json", "landed", 1, 2),  # 1 issue + 1 item
        ("p3_copy_of_p1.json", "skipped", 0, 0),
        ("p4_no_site.json", "refused", 0, 0),
        ("p5_page.json", "landed", 1, 1),
        ("p6_issues_object.json", "refused", 0, 0),
        ("p7_empty.json", "landed", 0, 0),
    ]
    assert results[0].reason == '"values" is not a JSON array'
    assert results[4].reason == "cannot tell the Jira site: issue at position 1 has no self URL (pass --instance)"
    assert results[6].reason == '"issues" is not a JSON array'
    assert count(db, "select count(*) from raw.jira_issues") == 3
    assert count(db, "select count(*) from raw.jira_changelog_items") == 4
    # record positions restart in every file
    assert count(db, "select max(_record_position) from raw.jira_issues") == 2
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select status, count(*) from raw.landing_log group by 1 order by 1").fetchall() == [
            ("landed", 4),
            ("refused", 3),
            ("skipped", 1),
        ]


def test_batch_with_a_truncated_page_still_lands_the_others(tmp_path):
    folder = tmp_path / "export"
    jp.write(folder / "a.json", two_issue_page())
    text = json.dumps(
        jp.search_page([jp.issue("7", "PAY-7", "2024-01-01T00:00:00.000+0000", "2024-01-01T00:00:00.000+0000")])
    )
    (folder / "b.json").write_text(text[:-10])
    jp.write(folder / "c.json", jp.changelog_page("PAY-1", [jp.history("1", "2024-01-01T00:00:00.000+0000", "A", "B")]))
    results = land(tmp_path / "w.duckdb", [folder])
    assert [r.status for r in results] == ["landed", "refused", "landed"]
    assert results[1].reason.startswith("Malformed JSON")
    # the truncated page is left out of the run, whose other two pages land in one transaction (now() its start)
    assert (
        count(tmp_path / "w.duckdb", "select count(distinct started_at) from raw.landing_log where status = 'landed'")
        == 1
    )


def test_a_run_reads_pages_with_a_byte_order_mark_compressed_pages_beside_plain_ones_and_refuses_two_documents(
    tmp_path,
):
    """A run's plain pages are read as text and cast to JSON, its compressed ones by DuckDB's JSON reader: a page
    that starts with a byte order mark lands as it would without it, a compressed page in the same run lands, and
    a file holding two documents fails the cast and is refused on its own, with the reason it always had."""
    import gzip

    folder = tmp_path / "export"
    folder.mkdir()
    page = json.dumps(two_issue_page()).encode()
    (folder / "a_bom.json").write_bytes(b"\xef\xbb\xbf" + page)
    other = jp.search_page([jp.issue("7", "PAY-7", "2024-01-01T00:00:00.000+0000", "2024-01-01T00:00:00.000+0000")])
    (folder / "b_packed.json.gz").write_bytes(gzip.compress(json.dumps(other).encode()))
    (folder / "c_two_documents.json").write_text('{"issues": []}\n{"issues": []}\n')
    jp.write(folder / "d.json", jp.changelog_page("PAY-1", [jp.history("9", "2024-01-06T00:00:00.000+0000", "A", "B")]))
    db = tmp_path / "w.duckdb"
    results = land(db, [folder])
    assert [(r.path.name, r.status, r.rows_total) for r in results] == [
        ("a_bom.json", "landed", 4),  # 2 issues + 2 changelog items
        ("b_packed.json.gz", "landed", 1),  # 1 issue, no history
        ("c_two_documents.json", "refused", 0),
        ("d.json", "landed", 1),  # 1 changelog item
    ]
    assert results[2].reason == "expected one JSON document, found several"
    # 2 + 1 issues; 2 + 1 changelog items
    assert count(db, "select count(*) from raw.jira_issues") == 3
    assert count(db, "select count(*) from raw.jira_changelog_items") == 3
    # the three pages landed in the run's one transaction (now() is its start), not one by one
    with duckdb.connect(str(db), read_only=True) as con:
        starts = con.execute("select count(distinct started_at) from raw.landing_log where status = 'landed'")
        assert starts.fetchone()[0] == 1


def test_a_file_landed_before_is_not_read_again_while_its_path_size_and_mtime_are_unchanged(tmp_path, monkeypatch):
    import os

    from flowmart import landing

    db = tmp_path / "w.duckdb"
    folder = tmp_path / "in"
    pages = [
        jp.write(
            folder / f"page{n}.json",
            jp.search_page(
                [jp.issue(str(n), f"PAY-{n}", "2024-01-02T09:00:00.000+0100", "2024-01-02T09:00:00.000+0100")]
            ),
        )
        for n in range(1, 4)
    ]
    hashed: list[str] = []
    real_digest = landing.file_digest
    monkeypatch.setattr(landing, "file_digest", lambda path: (hashed.append(path.name), real_digest(path))[1])

    assert [r.status for r in land(db, [folder])] == ["landed"] * 3
    assert sorted(hashed) == ["page1.json", "page2.json", "page3.json"]  # new files: their content is hashed

    hashed.clear()
    again = land(db, [folder])
    assert [(r.status, r.reason) for r in again] == [("skipped", "already landed")] * 3
    assert hashed == []  # path, size and mtime as landed: not read again

    # touched (new mtime, same content): read again, and still skipped by its content hash
    os.utime(pages[0], ns=(pages[0].stat().st_atime_ns, pages[0].stat().st_mtime_ns + 1_000_000_000))
    hashed.clear()
    assert [r.status for r in land(db, [pages[0]])] == ["skipped"] and hashed == ["page1.json"]

    # rewritten in place with the same size: a new mtime, so it is read, and its new content lands
    text = pages[1].read_text()
    assert '"PAY-2"' in text
    pages[1].write_text(text.replace('"PAY-2"', '"PAY-9"'))
    hashed.clear()
    [result] = land(db, [pages[1]])
    assert result.status == "landed" and hashed == ["page2.json"]
    # 3 issues landed first + the rewritten page's 1 = 4 rows; each page logged landed once, page2 twice
    assert count(db, "select count(*) from raw.jira_issues") == 4
    assert count(db, "select count(*) from raw.landing_log where status = 'landed'") == 4
    assert count(db, "select count(*) from raw.landing_log where status = 'landed' and file_mtime_ns is null") == 0


def test_batches_landed_side_by_side_land_what_one_at_a_time_lands(tmp_path, monkeypatch):
    from flowmart import landing

    monkeypatch.setattr(landing, "BATCH_FILES", 2)  # 13 files: 6 runs of 2 and one of 1
    folder = tmp_path / "in"
    texts = []
    for n in range(1, 11):
        page = jp.search_page(
            [jp.issue(str(n), f"PAY-{n}", "2024-01-02T09:00:00.000+0100", "2024-01-03T09:00:00.000+0100")]
        )
        texts.append(jp.write(folder / f"p{n:02d}.json", page).read_text())
    # the same content as p01 and p02 under other names, in other runs: each content lands once
    (folder / "p11.json").write_text(texts[0])
    (folder / "p12.json").write_text(texts[1])
    (folder / "p13.json").write_text('{"issues": {"not": "an array"}}')

    def landed(workers: int) -> tuple[list, list, int]:
        db = tmp_path / f"w{workers}.duckdb"
        with duckdb.connect(str(db)) as con:
            results = landing.land_files(con, [folder], workers=workers)
        with duckdb.connect(str(db), read_only=True) as con:
            keys = con.execute("select issue_key from raw.jira_issues order by issue_key").fetchall()
            logged = con.execute("select count(*) from raw.landing_log").fetchone()[0]
        return [(r.path.name, r.status, r.reason) for r in results], keys, logged

    serial, parallel = landed(1), landed(2)
    assert parallel == serial
    statuses, keys, logged = parallel
    # 10 distinct pages land; p11/p12 are skipped as the same content as p01/p02; p13 is refused
    assert [s for _, s, _ in statuses] == ["landed"] * 10 + ["skipped", "skipped", "refused"]
    assert statuses[10][2].startswith("already landed (same content as") and "p01.json" in statuses[10][2]
    assert statuses[12][2] == '"issues" is not a JSON array'
    assert len(keys) == 10 and logged == 13


def test_gzip_compressed_pages_land_exactly_like_the_plain_ones_and_a_broken_one_is_refused(tmp_path):
    import gzip

    from flowmart.demo.jira import generate

    plain, packed = tmp_path / "plain", tmp_path / "packed"
    generate(plain, items=300, page_size=50)
    generate(packed, items=300, page_size=50, compress=True)
    plain_files = sorted(p.relative_to(plain).as_posix() for p in plain.rglob("*.json"))
    packed_files = sorted(p.relative_to(packed).as_posix()[: -len(".gz")] for p in packed.rglob("*.json.gz"))
    assert plain_files == packed_files and not list(packed.rglob("*.json"))
    # every compressed page holds the plain page's bytes
    for name in plain_files[:5]:
        assert gzip.decompress((packed / f"{name}.gz").read_bytes()) == (plain / name).read_bytes()
    broken = packed / "broken.json.gz"
    broken.write_bytes(gzip.compress(b'{"issues": [')[:-6])  # cut before gzip's trailer: not a whole stream

    def landed(folder: Path, db: Path) -> tuple[list, list, list]:
        results = land(db, [folder])
        with duckdb.connect(str(db), read_only=True) as con:
            # what landed, but the lineage columns that name the file (path and hash differ by construction)
            issues = con.execute(
                "select * exclude (_source_file, _file_hash, _landed_at) from raw.jira_issues order by all"
            ).fetchall()
            items = con.execute(
                "select * exclude (_source_file, _file_hash, _landed_at) from raw.jira_changelog_items order by all"
            ).fetchall()
        return results, issues, items

    plain_results, plain_issues, plain_items = landed(plain, tmp_path / "plain.duckdb")
    packed_results, packed_issues, packed_items = landed(packed, tmp_path / "packed.duckdb")
    # 300 issues over the two sites, and every one of their changelog items, identical row for row
    assert len(plain_issues) == 300 and plain_items
    assert (packed_issues, packed_items) == (plain_issues, plain_items)
    by_name = {r.path.name: r for r in packed_results}
    assert by_name["broken.json.gz"].status == "refused"
    assert by_name["broken.json.gz"].reason.startswith("not a readable gzip file")
    assert sum(r.status == "landed" for r in packed_results) == len(plain_results) == len(plain_files)
