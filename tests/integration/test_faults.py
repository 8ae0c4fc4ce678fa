"""Faults a hostile user or an unlucky operator meets, each reproduced and shown to hold: refused or
quarantined with a one-line reason, or handled correctly, and nothing lost or silently changed.

Races and kills are reproduced deterministically: the build stops at a named pause point
(FLOWMART_PAUSE_AT, flowmart/pipeline.py) or is killed when dbt reports a given mart done, never after a sleep.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flowmart.landing import land
from tests import jira_payloads as jp

pytestmark = pytest.mark.slow

WORK_ITEMS = (
    "source,instance,item_key,title,item_type,project,components,labels,area_path,parent_key,status,"
    "status_category,resolution,created_at,updated_at,resolved_at\n"
)
CHANGES = "source,instance,item_key,change_id,changed_at,from_status,to_status\n"


def flowmart(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flowmart.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flowmart.cli", *args], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 300) -> None:
    """Wait until ``path`` exists (the process reached its pause point); fail if the process ends first."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the process ended before {path.name}: {process.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name} not reached in {timeout} s")
        time.sleep(0.05)


def small_export(folder: Path, created: str = "2026-02-01T09:00:00Z", key: str = "A-1") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "work_items.csv").write_text(
        WORK_ITEMS + f"csv,acme,{key},First,Story,CORE,,,,,Done,done,Done,{created},2026-02-05T09:00:00Z,"
        "2026-02-05T09:00:00Z\n"
    )
    (folder / "status_changes.csv").write_text(
        CHANGES + f"csv,acme,{key},1,2026-02-02T09:00:00Z,To Do,In Progress\n"
        f"csv,acme,{key},2,2026-02-05T09:00:00Z,In Progress,Done\n"
    )
    return folder


@pytest.fixture
def built(tmp_path) -> Path:
    """A warehouse with one small export landed, built and published."""
    db = tmp_path / "warehouse" / "w.duckdb"
    assert run("land", "--db", str(db), "-q", str(small_export(tmp_path / "day1"))).returncode == 0
    result = run("build", "--db", str(db), "--no-data-docs")
    assert result.returncode == 0, result.stderr[-3000:]
    return db


def published_version(db: Path) -> str:
    return os.readlink(db.parent / "published" / "current")


# ---------------------------------------------------------------------------------------------------------
# 1. a landing between the gate and dbt


def test_a_landing_started_during_a_build_waits_for_the_publish(built, tmp_path):
    pause = tmp_path / "pause"
    pause.mkdir()
    build = flowmart("build", "--db", str(built), "--no-data-docs", env={"FLOWMART_PAUSE_AT": f"after_gate:{pause}"})
    wait_for(pause / "after_gate.reached", build)
    # an export with an item created in 1970 arrives while the build is past its gate
    late = small_export(tmp_path / "late", created="1970-01-01T00:00:00Z", key="OLD-1")
    landing = flowmart("land", "--db", str(built), "-q", str(late))
    # it waits for the build's writer lock (a line says so), instead of landing unchecked rows
    assert "another Flowmart process is writing it; waiting" in landing.stderr.readline()
    (pause / "after_gate.go").touch()
    assert build.wait(timeout=600) == 0, build.stderr.read()[-3000:]
    assert landing.wait(timeout=120) == 0
    published = built.parent / "published" / "current" / "flowmart.duckdb"
    # the build published what its gate validated: the 1970 item is not in it
    assert query(published, "select count(*) from marts.fct_work_items where item_key = 'OLD-1'") == [(0,)]
    assert query(published, "select min(date_day) from marts.fct_flow_daily")[0][0].year == 2026
    # the next build gates it: its one row is created before 2000, so the whole file is unusable and the
    # gate stops the build; the published marts never see it
    again = run("build", "--db", str(built), "--no-data-docs")
    assert again.returncode == 2
    assert "raw__landing_log.file_usable" in again.stdout + again.stderr
    assert query(published, "select count(*) from marts.fct_work_items where item_key = 'OLD-1'") == [(0,)]


# ---------------------------------------------------------------------------------------------------------
# 2. publishing after a build that was killed


def test_publish_refuses_a_build_killed_between_two_marts(built):
    before = published_version(built)
    build = flowmart("build", "--db", str(built), "--no-data-docs", "--full-refresh")
    for line in build.stdout:  # dbt reports each node as it finishes
        if "OK created sql table model marts.fct_work_items" in line:
            build.send_signal(signal.SIGKILL)
            break
    build.wait(timeout=60)
    result = run("publish", "--db", str(built))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "has not completed" in line and "readers keep the current published version" in line
    assert published_version(built) == before
    # a build that completes publishes again
    assert run("build", "--db", str(built), "--no-data-docs").returncode == 0
    assert published_version(built) != before


# ---------------------------------------------------------------------------------------------------------
# 3. HTML in tracker text, in the Data Docs


def test_html_in_a_status_is_text_in_every_data_docs_page(tmp_path):
    from tests.browser import visit

    payload = "<img src=x onerror=\"document.title='pwned'\">"
    export = tmp_path / "export"
    export.mkdir()
    (export / "work_items.csv").write_text(
        WORK_ITEMS + f'csv,acme,A-1,First,Story,CORE,,,,,"{payload.replace(chr(34), chr(34) * 2)}",new,,'
        "2026-02-01T09:00:00Z,2026-02-01T09:00:00Z,\n"
    )
    db = tmp_path / "w.duckdb"
    assert run("land", "--db", str(db), "-q", str(export)).returncode == 0
    docs = tmp_path / "docs"
    assert run("check", "--db", str(db), "--data-docs", str(docs), "-q").returncode == 0
    # every page that holds the value (one browser start per page: the others cannot run it)
    pages = sorted(p for p in docs.rglob("*.html") if "onerror" in p.read_text(encoding="utf-8"))
    assert pages
    shown = False
    for page in pages:
        seen = visit(page, tmp_path / "page.png", evaluate="document.title")
        assert seen.evaluated != "pwned", page  # the handler never ran
        # (GX's pages also load jQuery and Bootstrap from CDNs, unreachable here: those errors are not ours)
        shown = shown or payload in seen.text  # shown as the tracker wrote it, not escaped twice
    assert shown, "the status should be shown, as text"


# ---------------------------------------------------------------------------------------------------------
# 4. `$` in tracker text, in the report's charts


@pytest.mark.parametrize("name", [r"wait $\foo{$ here", "Awaiting $$ approval", "Quote $5 to $10"])
def test_dollar_signs_are_drawn_literally(name):
    import matplotlib

    from flowmart.report import charts

    png = charts.where_work_waits([name, "In Progress"], [3.0, 1.0], ["waiting", "active"], f"Where {name} waits")
    assert png.startswith(b"\x89PNG")
    assert matplotlib.rcParams["text.parse_math"] is False  # drawn as the tracker wrote it, never as math


# ---------------------------------------------------------------------------------------------------------
# 5. a file still being written


def test_a_file_that_changes_while_it_is_landed_is_refused(tmp_path, monkeypatch):
    from flowmart import landing

    page = jp.write(
        tmp_path / "search.json",
        jp.search_page([jp.issue("1", "A-1", "2026-01-02T09:00:00.000+0000", "2026-01-06T09:00:00.000+0000")]),
    )

    def writer_still_writing(path: Path) -> None:
        with path.open("a") as handle:
            handle.write(" ")

    monkeypatch.setattr(landing, "after_read", writer_still_writing)
    db = tmp_path / "w.duckdb"
    [result] = land(db, [page])
    assert result.status == "refused" and result.reason.startswith("the file changed while it was being landed")
    assert query(db, "select count(*) from raw.jira_issues") == [(0,)]
    monkeypatch.setattr(landing, "after_read", None)
    [again] = land(db, [page])  # once it has settled it lands, whole
    assert again.status == "landed" and query(db, "select count(*) from raw.jira_issues") == [(1,)]


# ---------------------------------------------------------------------------------------------------------
# 6. glob characters in a file name


def test_a_file_name_with_glob_characters_is_read_literally(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    for name, key in (("wi*.csv", "STAR-1"), ("wi1.csv", "ONE-1"), ("wi2.csv", "TWO-1")):
        (folder / name).write_text(
            WORK_ITEMS + f"csv,acme,{key},t,Story,CORE,,,,,Open,new,,2026-02-01T09:00:00Z,2026-02-01T09:00:00Z,\n"
        )
    db = tmp_path / "w.duckdb"
    [result] = land(db, [folder / "wi*.csv"])
    assert (result.status, result.rows) == ("landed", 1)
    assert query(db, "select item_key from raw.csv_work_items") == [("STAR-1",)]
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in ("search[1].json", "search1.json"):
        jp.write(
            pages / name,
            jp.search_page(
                [jp.issue(name[:8], f"P-{len(name)}", "2026-01-02T09:00:00.000+0000", "2026-01-06T09:00:00.000+0000")]
            ),
        )
    [star] = land(db, [pages / "search[1].json"])
    assert (star.status, star.rows) == ("landed", 1)


# ---------------------------------------------------------------------------------------------------------
# 7. duplicated JSON keys


def test_a_page_with_a_duplicated_key_is_refused(tmp_path):
    issue = json.dumps(jp.issue("1", "A-1", "2026-01-02T09:00:00.000+0000", "2026-01-06T09:00:00.000+0000"))
    other = json.dumps(jp.issue("2", "A-2", "2026-01-02T09:00:00.000+0000", "2026-01-06T09:00:00.000+0000"))
    page = tmp_path / "search.json"
    page.write_text(f'{{"startAt": 0, "issues": [{issue}], "issues": [{other}]}}')
    [result] = land(tmp_path / "w.duckdb", [page])
    assert result.status == "refused"
    assert result.reason == "the document has the key 'issues' twice: one would be dropped, so the file is refused"


# ---------------------------------------------------------------------------------------------------------
# 8. the same issue twice in one page


def test_an_issue_quarantined_as_a_repeat_takes_its_changelog_with_it(tmp_path):
    from flowmart.gate import run_gate

    first = jp.issue(
        "101",
        "A-1",
        "2026-01-02T09:00:00.000+0000",
        "2026-01-06T09:00:00.000+0000",
        histories=[jp.history("11", "2026-01-03T09:00:00.000+0000", "To Do", "In Progress")],
    )
    second = jp.issue(
        "101",
        "A-1",
        "2026-01-02T09:00:00.000+0000",
        "2026-01-06T09:00:00.000+0000",
        current_status="Done",
        category="done",
        histories=[
            jp.history("12", "2026-01-04T09:00:00.000+0000", "To Do", "Done"),
            jp.history("13", "2026-01-05T09:00:00.000+0000", "Done", "Done"),
        ],
    )
    db = tmp_path / "w.duckdb"
    land(db, [jp.write(tmp_path / "search.json", jp.search_page([first, second]))])
    with duckdb.connect(str(db)) as con:
        run_gate(con)
    # the later copy and its two changelog items moved together; the first copy's item stayed
    assert query(db, "select history_id from raw.jira_changelog_items") == [("11",)]
    assert query(db, "select source_table, count(*) from raw.quarantine group by 1 order by 1") == [
        ("jira_changelog_items", 2),
        ("jira_issues", 1),
    ]
    assert query(db, "select distinct expectation from raw.quarantine where source_table = 'jira_changelog_items'") == [
        ("jira__issues.issue_id_unique_in_file",)
    ]


# ---------------------------------------------------------------------------------------------------------
# 11. --as-of pasted into SQL


@pytest.mark.parametrize("value", ["2026-06-30'", "yesterday", "2026-06-30 23:59:59; drop table x"])
def test_as_of_must_be_a_timestamp(tmp_path, value):
    result = run("build", "--db", str(tmp_path / "w.duckdb"), "--as-of", value)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: --as-of {value}: not a timestamp (e.g. '2026-06-30 23:59:59', UTC)"


# ---------------------------------------------------------------------------------------------------------
# 12. a mistyped --db


def test_a_build_of_a_warehouse_with_nothing_landed_is_refused(built, tmp_path):
    typo = built.parent / "w2.duckdb"
    result = run("build", "--db", str(typo), "--no-data-docs")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {typo}: nothing has been landed in this warehouse (is --db right? run `flowmart land` first, "
        "or build with --allow-empty)"
    )
    assert not typo.exists()
    # asked for explicitly, an empty warehouse is built (and published: nothing was published from it before)
    empty = tmp_path / "empty" / "w.duckdb"
    result = run("build", "--db", str(empty), "--no-data-docs", "--allow-empty")
    assert result.returncode == 0, result.stderr[-2000:]


def test_an_empty_build_does_not_replace_published_marts_with_data(built):
    before = published_version(built)
    with duckdb.connect(str(built)) as con:
        con.execute("delete from marts.fct_work_items")
    result = run("publish", "--db", str(built))
    assert result.returncode == 2
    assert "no work items" in result.stderr and "--allow-empty" in result.stderr
    assert published_version(built) == before
    assert run("publish", "--db", str(built), "--allow-empty").returncode == 0
    assert published_version(built) != before


# ---------------------------------------------------------------------------------------------------------
# 13. a review of a half-year without data


def test_a_review_of_a_half_without_work_is_refused(built, tmp_path):
    result = run("report", "--db", str(built), "--half", "1999-H1", "--out", str(tmp_path / "r"))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()[-1:]
    assert line.startswith("error: --half 1999-H1: no work finished or in progress in this half-year")
    # refused before anything was written: no snapshot table was even created in this warehouse
    assert query(built, "select count(*) from duckdb_tables() where table_name = 'review_snapshots'") == [(0,)]


# ---------------------------------------------------------------------------------------------------------
# personal data: the work file is its owner's


def test_the_warehouse_is_readable_by_its_owner_only(tmp_path):
    db = tmp_path / "new" / "warehouse" / "w.duckdb"
    assert run("land", "--db", str(db), "-q", str(small_export(tmp_path / "e"))).returncode == 0
    assert (db.stat().st_mode & 0o777) == 0o600
    # the folder: listed and read by its owner only; others may pass through to published/ (BI tools)
    assert (db.parent.stat().st_mode & 0o777) == 0o711


# ---------------------------------------------------------------------------------------------------------
# 9. a status change whose from equals its to


def test_a_change_to_the_same_status_is_no_change(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "work_items.csv").write_text(
        WORK_ITEMS + "csv,acme,A-1,First,Story,CORE,,,,,Done,done,Done,2026-02-01T09:00:00Z,2026-02-05T09:00:00Z,"
        "2026-02-05T09:00:00Z\n"
    )
    (export / "status_changes.csv").write_text(
        CHANGES + "csv,acme,A-1,1,2026-02-02T09:00:00Z,To Do,In Progress\n"
        "csv,acme,A-1,2,2026-02-03T09:00:00Z,In Progress,in progress \n"
        "csv,acme,A-1,3,2026-02-05T09:00:00Z,In Progress,Done\n"
    )
    db = tmp_path / "w.duckdb"
    assert run("land", "--db", str(db), "-q", str(export)).returncode == 0
    result = run("build", "--db", str(db), "--no-data-docs", "--no-publish", "--as-of", "2026-03-01 00:00:00")
    assert result.returncode == 0, result.stderr[-3000:]
    # To Do 02-01 09:00 -> In Progress 02-02 09:00 -> Done 02-05 09:00: the 02-03 "change" changes nothing,
    # so In Progress is one interval of 3 days, not two
    assert query(
        db, "select status, entered_at::varchar, duration_days from marts.fct_status_intervals order by interval_index"
    ) == [
        ("To Do", "2026-02-01 09:00:00", 1.0),
        ("In Progress", "2026-02-02 09:00:00", 3.0),
        ("Done", "2026-02-05 09:00:00", pytest.approx(23.625)),  # 02-05 09:00 -> 03-01 00:00 = 23 d 15 h = 23 + 15/24
    ]
    assert query(
        db,
        "select affected_count from marts.fct_data_quality where check_name = 'unchanged_status_removed'"
        " and source = 'csv'",
    ) == [(1,)]


# ---------------------------------------------------------------------------------------------------------
# 10. a full disk during landing and during the gate


@pytest.fixture
def small_disk(tmp_path):
    """A 6 MB tmpfs (root only: skipped elsewhere)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, filler: Path, leave: int) -> None:
    """Write ``filler`` until ``leave`` bytes are free on ``disk``."""
    stat = os.statvfs(disk)
    filler.write_bytes(b"\0" * max(stat.f_bavail * stat.f_frsize - leave, 0))


def test_a_full_disk_is_one_line_and_loses_nothing(small_disk, tmp_path):
    db = small_disk / "w.duckdb"
    assert run("land", "--db", str(db), "-q", str(small_export(tmp_path / "day1"))).returncode == 0
    # a page of 4,000 issues with changelogs: more than the disk has left once DuckDB writes it
    issues = [
        jp.issue(
            str(i),
            f"BIG-{i}",
            "2026-01-02T09:00:00.000+0000",
            "2026-01-06T09:00:00.000+0000",
            histories=[jp.history(str(10 * i), "2026-01-03T09:00:00.000+0000", "To Do", "In Progress")],
        )
        for i in range(1, 4001)
    ]
    big = jp.write(tmp_path / "big" / "search.json", jp.search_page(issues))
    filler = small_disk / "filler"
    fill(small_disk, filler, leave=256 << 10)  # room for a few blocks, not for the page's rows
    result = run("land", "--db", str(db), str(big))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()[-1:]
    assert line.startswith(f"error: {db}: the disk is full") and "nothing of" in line
    assert "Traceback" not in result.stderr and "invalidated" not in result.stderr
    # what was landed before is all there, and the big file is not half in
    assert query(db, "select count(*) from raw.csv_work_items") == [(1,)]
    assert query(db, "select count(*) from raw.jira_issues") == [(0,)]
    # the gate on a disk with no room left: the same one line, nothing half-written
    filler.unlink()
    fill(small_disk, filler, leave=4096)
    result = run("check", "--db", str(db), "--no-data-docs")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()[-1:]
    assert line.startswith(f"error: {db}: the disk is full")
    filler.unlink()
    assert run("check", "--db", str(db), "--no-data-docs").returncode == 0


# ---------------------------------------------------------------------------------------------------------
# A key held by two issue ids (deleted and recreated, or another issue moved onto the key)


def recreated_key_issues() -> tuple[dict, dict, dict]:
    """Issue 101 holds A-7 (done 2026-01-03); issue 205 holds A-7 again, newer (in progress since 2026-02-02);
    issue 102 holds A-8."""
    old = jp.issue(
        "101",
        "A-7",
        "2026-01-02T09:00:00.000+0000",
        "2026-01-06T09:00:00.000+0000",
        histories=[jp.history("11", "2026-01-03T09:00:00.000+0000", "To Do", "Done")],
    )
    recreated = jp.issue(
        "205",
        "A-7",
        "2026-02-01T09:00:00.000+0000",
        "2026-02-03T09:00:00.000+0000",
        current_status="In Progress",
        category="indeterminate",
        histories=[jp.history("21", "2026-02-02T09:00:00.000+0000", "To Do", "In Progress")],
    )
    other = jp.issue("102", "A-8", "2026-01-02T09:00:00.000+0000", "2026-01-04T09:00:00.000+0000")
    return old, recreated, other


def test_a_key_recreated_under_a_new_issue_id_sets_the_older_aside_and_the_build_goes_on(tmp_path):
    from flowmart.cli import main

    old, recreated, other = recreated_key_issues()
    db = tmp_path / "w.duckdb"
    land(db, [jp.write(tmp_path / "day1" / "search.json", jp.search_page([old, other]))])
    land(db, [jp.write(tmp_path / "day2" / "search.json", jp.search_page([recreated]))])
    assert main(["build", "--db", str(db), "--as-of", "2026-03-01", "--no-data-docs"]) == 0
    # the older id's snapshot and its changelog item are in quarantine with the reason; the newer is the item
    assert query(db, "select source_table, expectation from raw.quarantine order by 1") == [
        ("jira_changelog_items", "jira__issues.key_not_held_by_a_newer_issue"),
        ("jira_issues", "jira__issues.key_not_held_by_a_newer_issue"),
    ]
    # A-7 is the recreated issue 205: created 2026-02-01 09:00, in progress
    assert query(
        db, "select item_key, created_at::varchar, current_flow_state from marts.fct_work_items order by 1"
    ) == [
        ("A-7", "2026-02-01 09:00:00", "active"),
        ("A-8", "2026-01-02 09:00:00", "done"),
    ]


def test_a_key_recreated_in_a_later_export_is_set_aside_by_the_daily_gate_and_build(tmp_path):
    """The same as above on the daily path: day 1 is landed and built (the gate validates it and the
    incremental model holds issue 101's change); day 2 brings the recreated issue. The gate validates only
    day 2's file, yet sets aside day 1's older snapshot of the key (a cross-file check), and the build starts
    the incremental models from scratch so that the set-aside change leaves them too."""
    from flowmart.cli import main

    old, recreated, other = recreated_key_issues()
    db = tmp_path / "w.duckdb"
    land(db, [jp.write(tmp_path / "day1" / "search.json", jp.search_page([old, other]))])
    assert main(["build", "--db", str(db), "--as-of", "2026-03-01", "--no-data-docs"]) == 0
    # day 1: issue 101's change 11 is in the incremental model
    assert query(db, "select change_id from intermediate.int_status_changes_unioned order by 1") == [("11",)]
    land(db, [jp.write(tmp_path / "day2" / "search.json", jp.search_page([recreated]))])
    assert main(["build", "--db", str(db), "--as-of", "2026-03-01", "--no-data-docs"]) == 0
    # the second gate run validated day 2's file only (1 issue + 1 changelog item), plus day 1's snapshot of
    # A-7 brought back by the cross-file check (1 issue): 2 issues and 1 changelog item in its results
    assert query(
        db,
        "select source_table, max(element_count) from raw.validation_results "
        "where run_at = (select max(run_at) from raw.validation_results) and source_table in ('jira_issues', 'jira_changelog_items') "
        "group by 1 order by 1",
    ) == [("jira_changelog_items", 1), ("jira_issues", 2)]
    assert query(db, "select source_table, expectation from raw.quarantine order by 1") == [
        ("jira_changelog_items", "jira__issues.key_not_held_by_a_newer_issue"),
        ("jira_issues", "jira__issues.key_not_held_by_a_newer_issue"),
    ]
    # the second build started from scratch (a row built before was set aside), so 101's change 11 is gone
    assert query(db, "select full_refresh from raw.build_log order by started_at") == [(False,), (True,)]
    assert query(db, "select change_id from intermediate.int_status_changes_unioned order by 1") == [("21",)]
    assert query(
        db, "select item_key, created_at::varchar, current_flow_state from marts.fct_work_items order by 1"
    ) == [
        ("A-7", "2026-02-01 09:00:00", "active"),
        ("A-8", "2026-01-02 09:00:00", "done"),
    ]


def test_a_build_that_runs_out_of_memory_names_the_setting_to_raise(tmp_path, monkeypatch):
    # ten million items fail the build under the default limit (docs/benchmarks.md); here a 1MB limit makes
    # DuckDB run out while loading the seeds, and the error says which setting to raise and its value
    from flowmart.dbt import DbtFailed, DbtSettings, run_dbt
    from flowmart.warehouse import Warehouse

    db = tmp_path / "w.duckdb"
    Warehouse(db).ensure_raw_schema()
    with pytest.raises(DbtFailed, match=r"ran out of memory within its limit of 1MB: raise FLOWMART_MEMORY_LIMIT"):
        run_dbt(db, ["build", "--select", "resource_type:seed"], DbtSettings(memory_limit="1MB"))
    # the same from the environment: the limit dbt ran under is the one the error names
    monkeypatch.setenv("FLOWMART_MEMORY_LIMIT", "1MB")
    with pytest.raises(DbtFailed, match=r"within its limit of 1MB: raise FLOWMART_MEMORY_LIMIT"):
        run_dbt(db, ["build", "--select", "resource_type:seed"])
    # with room enough, the same seeds load and nothing is said
    run_dbt(db, ["build", "--select", "resource_type:seed"], DbtSettings(memory_limit="1GB"))
