"""`flowmart pull jira|github` against a local replay server (tests/replay.py) answering like Jira Cloud,
Jira Data Center and GitHub from recorded pages: paging in each style, a truncated changelog, a 429 with
Retry-After, a 502, a 401, GitHub's rate limit, the incremental clause on the second pull, no token in any
output or file, and pull -> build giving the same marts as landing the same pages by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowmart.cli import main
from flowmart.cli.output import EXIT_USER_ERROR
from flowmart.dbt import DbtSettings, run_dbt
from flowmart.landing import land
from tests.integration.conftest import REPO, SHARED_DATASETS, query
from tests.replay import Fault, Replay, rate_limited_for

FIXTURES = REPO / "tests" / "fixtures"
BUILD = ["build", "--exclude-resource-type", "unit_test"]
AS_OF = "2024-01-01 00:00:00"
EMAIL, TOKEN, PAT = "analyst@example.com", "s3cr3t-api-token-0123456789", "pat-0123456789-s3cr3t"
needs_shared = pytest.mark.skipif(
    not SHARED_DATASETS.exists(), reason="../shared/datasets is not here (a user's clone)"
)

WORK_ITEMS = """
    select work_item_id, value_stream_id, flow_item_type, current_status, current_flow_state,
        started_at, finished_at, flow_time_days, active_days, reopen_count
    from marts.fct_work_items order by work_item_id
"""
INTERVALS = """
    select work_item_id, interval_index, status, status_id, flow_state, entered_at, exited_at
    from marts.fct_status_intervals order by work_item_id, interval_index
"""


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setenv("FLOWMART_HTTP_BACKOFF", "0.05")
    for name in ("JIRA_EMAIL", "JIRA_API_TOKEN", "JIRA_TOKEN", "GITHUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def devlake_issues() -> tuple[list[dict], list[dict]]:
    issues = []
    for page in sorted((SHARED_DATASETS / "jira").glob("search_page_*.json")):
        issues += json.loads(page.read_text())["issues"]
    statuses = json.loads((SHARED_DATASETS / "jira" / "status.json").read_text())
    return issues, statuses


def most_histories(issues: list[dict]) -> dict:
    return max(issues, key=lambda i: len(i["changelog"]["histories"]))


def no_token_anywhere(texts: list[str], folder: Path, secrets: tuple[str, ...]) -> None:
    for secret in secrets:
        assert all(secret not in text for text in texts)
        for path in folder.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path


def basic() -> str:
    import base64

    return "Basic " + base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()


@needs_shared
def test_pull_jira_cloud_pages_retries_completes_changelogs_and_builds_the_marts_of_hand_landing(
    tmp_path, monkeypatch, capsys
):
    issues, statuses = devlake_issues()
    long = most_histories(issues)
    monkeypatch.setenv("JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("JIRA_API_TOKEN", TOKEN)
    replay = Replay(
        "cloud",
        basic(),
        issues=issues,
        statuses=statuses,
        truncate={long["id"]: 2},  # the search embeds 2 of its histories; the changelog endpoint has them all
        faults={
            "/rest/api/3/search/jql": [Fault(429, {"Retry-After": "1"})],
            "/rest/api/3/issue/": [Fault(502)],
        },
    )
    db, landing = tmp_path / "pulled.duckdb", tmp_path / "landing"
    with replay:
        assert main(["pull", "jira", "--url", replay.url, "--db", str(db), "--out", str(landing)]) == 0
        first = capsys.readouterr()
        searches = replay.requests_to("/rest/api/3/search/jql")
        # 33 issues, at most 7 a page whatever was asked: 5 pages, plus the one answered 429 and retried
        assert len(searches) == 6 and searches[0] == searches[1]
        assert all(s["fields"] and s["expand"] == "changelog" for s in searches)
        assert 'updated >= "1970/01/01 00:00"' in searches[0]["jql"]  # bounded: Cloud refuses unbounded JQL
        changelog = replay.requests_to(f"/rest/api/3/issue/{long['id']}/changelog")
        pages = -(-len(long["changelog"]["histories"]) // 7)
        assert len(changelog) == pages + 1  # the 502 was retried

        # the second pull asks only for what changed since the cursor minus a day
        newest = max(i["fields"]["updated"] for i in issues)
        assert main(["pull", "jira", "--url", replay.url, "--db", str(db), "--out", str(landing)]) == 0
        second = capsys.readouterr()
        jql = replay.requests_to("/rest/api/3/search/jql")[-1]["jql"]
    assert 'updated >= "' in jql and jql.endswith("ORDER BY updated ASC")
    [(cursor,)] = query(db, "select cursor from raw.sync_state where source = 'jira'")
    assert cursor[:10] == "2022-07-15"  # EE's newest update 2022-07-16T06:31:38.616+0800 = 07-15 22:31 UTC
    assert newest.startswith("2022-07-16")
    exports = sorted(p for p in (landing / "jira" / "127.0.0.1").iterdir())
    assert len(exports) == 2
    assert (exports[0] / "status.json").exists()
    assert len(list(exports[0].glob("search_page_*.json"))) == 5
    assert len(list((exports[0] / "changelog").glob(f"issue_{long['id']}_page_*.json"))) == pages
    no_token_anywhere([first.out, first.err, second.out, second.err], tmp_path, (TOKEN, basic()))

    # the same pages landed by hand give the same marts
    hand = tmp_path / "hand.duckdb"
    land(hand, [SHARED_DATASETS / "jira"])
    for warehouse in (db, hand):
        run_dbt(warehouse, BUILD, DbtSettings(as_of=AS_OF))
    assert query(db, WORK_ITEMS) == query(hand, WORK_ITEMS)
    assert query(db, INTERVALS) == query(hand, INTERVALS)
    assert len(query(db, WORK_ITEMS)) == 33


@needs_shared
def test_pull_jira_data_center_pages_by_start_at(tmp_path, monkeypatch, capsys):
    issues, statuses = devlake_issues()
    monkeypatch.setenv("JIRA_TOKEN", PAT)
    replay = Replay("datacenter", f"Bearer {PAT}", issues=issues, statuses=statuses, page_cap=10)
    db = tmp_path / "w.duckdb"
    with replay:
        assert main(["pull", "jira", "--url", replay.url, "--db", str(db), "--out", str(tmp_path / "l")]) == 0
        starts = [int(q["startAt"]) for q in replay.requests_to("/rest/api/2/search")]
    assert starts == [0, 10, 20, 30]  # 33 issues, 10 a page
    assert query(db, "select count(distinct issue_id) from raw.jira_issues") == [(33,)]
    output = capsys.readouterr()
    no_token_anywhere([output.out, output.err], tmp_path, (PAT,))


def test_pull_jira_with_a_wrong_token_is_one_line_naming_the_variables(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("JIRA_API_TOKEN", "wrong-" + TOKEN)
    with Replay("cloud", basic()) as replay:
        code = main(["pull", "jira", "--url", replay.url, "--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path)])
    output = capsys.readouterr()
    assert code == EXIT_USER_ERROR
    [line] = [line for line in output.err.splitlines() if line.startswith("error:")]
    assert "401" in line and "JIRA_EMAIL" in line and "JIRA_API_TOKEN" in line
    assert "Traceback" not in output.err
    no_token_anywhere([output.out, output.err], tmp_path, (TOKEN,))
    # no credentials at all: the same kind of line, before any request
    monkeypatch.delenv("JIRA_EMAIL")
    monkeypatch.delenv("JIRA_API_TOKEN")
    assert (
        main(["pull", "jira", "--url", "https://example.atlassian.net", "--db", str(tmp_path / "w.duckdb")])
        == EXIT_USER_ERROR
    )
    assert "JIRA_TOKEN" in capsys.readouterr().err


def test_pull_github_follows_links_waits_out_the_rate_limit_and_builds_the_marts_of_hand_landing(
    tmp_path, monkeypatch, capsys
):
    issues = json.loads((FIXTURES / "github" / "issues_page_001.json").read_text())
    events = json.loads((FIXTURES / "github" / "issue_events_page_001.json").read_text())
    events = sorted(events, key=lambda e: e["created_at"], reverse=True)  # the API lists newest first
    gh_token = "ghp_" + "x" * 36
    monkeypatch.setenv("GITHUB_TOKEN", gh_token)
    replay = Replay(
        "github",
        f"Bearer {gh_token}",
        issues=issues,
        events=events,
        page_cap=3,
        faults={"/repos/acme-mobility/rider-app/issues/events": [rate_limited_for(1), Fault(502)]},
    )
    db, landing = tmp_path / "pulled.duckdb", tmp_path / "landing"
    with replay:
        args = ["pull", "github", "--repo", "acme-mobility/rider-app", "--api-url", replay.url]
        assert main([*args, "--db", str(db), "--out", str(landing)]) == 0
        issue_pages = replay.requests_to("/repos/acme-mobility/rider-app/issues")
        event_pages = replay.requests_to("/repos/acme-mobility/rider-app/issues/events")
        assert len(issue_pages) == 3  # 7 issues, 3 a page, through the Link header
        assert len(event_pages) == 8 + 2  # 22 events, 3 a page, after the rate limit and the 502
        assert all("since" not in q for q in issue_pages)
        assert main([*args, "--db", str(db), "--out", str(landing)]) == 0
        since = replay.requests_to("/repos/acme-mobility/rider-app/issues")[-1]["since"]
    # the newest issue update in the fixture, minus the hour of overlap
    newest = max(i["updated_at"] for i in issues)
    assert since < newest and since[:10] == newest[:10]
    output = capsys.readouterr()
    no_token_anywhere([output.out, output.err], tmp_path, (gh_token,))

    hand = tmp_path / "hand.duckdb"
    land(hand, [FIXTURES / "github"])
    for warehouse in (db, hand):
        run_dbt(warehouse, BUILD, DbtSettings(as_of="2026-04-01 00:00:00"))
    assert query(db, WORK_ITEMS) == query(hand, WORK_ITEMS)
    assert query(db, INTERVALS) == query(hand, INTERVALS)


def demo_cloud_site() -> tuple[Path, list[dict], list[dict]]:
    """The committed demo sample's Jira Cloud site (written by flowmart's generator): its issues with their
    whole histories (newest first, as Cloud lists them; the changelog pages of the two truncated ones
    folded in) and its status list."""
    site = FIXTURES / "jira_demo_sample" / "jira" / "acme-mobility.atlassian.net"
    pages = {}
    for page in sorted((site / "changelog").glob("*_page_*.json")):
        key = page.name.split("_page_")[0]
        pages.setdefault(key, []).extend(json.loads(page.read_text())["values"])
    issues = []
    for page in sorted(site.glob("search_page_*.json")):
        for issue in json.loads(page.read_text())["issues"]:
            histories = pages[issue["key"]][::-1] if issue["key"] in pages else issue["changelog"]["histories"]
            issue["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(histories),
                "histories": histories,
            }
            issues.append(issue)
    return site, issues, json.loads((site / "status.json").read_text())


def test_pull_jira_cloud_on_generated_pages_gives_the_marts_of_hand_landing(tmp_path, monkeypatch, capsys):
    site, issues, statuses = demo_cloud_site()
    truncated = {i["id"]: 100 for i in issues if i["changelog"]["total"] > 100}
    assert len(truncated) == 2  # ENT-56 and PAY-30: Cloud embeds the newest 100 of their histories
    monkeypatch.setenv("JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("JIRA_API_TOKEN", TOKEN)
    replay = Replay(
        "cloud",
        basic(),
        issues=issues,
        statuses=statuses,
        truncate=truncated,
        page_cap=40,
        faults={"/rest/api/3/search/jql": [Fault(502)], "/rest/api/3/issue/": [Fault(429, {"Retry-After": "1"})]},
    )
    db = tmp_path / "pulled.duckdb"
    with replay:
        assert main(["pull", "jira", "--url", replay.url, "--db", str(db), "--out", str(tmp_path / "landing")]) == 0
        changelog_requests = [p for p, _, _ in replay.log if p.endswith("/changelog")]
    # two truncated issues, their changelogs paged 40 at a time (the cap), plus the one 429 retried
    histories = sum(i["changelog"]["total"] for i in issues if i["id"] in truncated)
    assert len(changelog_requests) == sum(-(-i["changelog"]["total"] // 40) for i in issues if i["id"] in truncated) + 1
    assert histories > 200
    output = capsys.readouterr()
    no_token_anywhere([output.out, output.err], tmp_path, (TOKEN, basic()))

    hand = tmp_path / "hand.duckdb"
    land(hand, [site])
    for warehouse in (db, hand):
        run_dbt(warehouse, BUILD, DbtSettings(as_of="2026-11-15 00:00:00"))
    assert query(db, WORK_ITEMS) == query(hand, WORK_ITEMS)
    assert query(db, INTERVALS) == query(hand, INTERVALS)
    assert len(query(db, WORK_ITEMS)) == len(issues)
