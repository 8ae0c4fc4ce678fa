"""Tests of the demo data generator (orchestration/generate.py) and the demo mapping seeds.

The committed sample (tests/fixtures/jira_demo_sample/) is `generate(**SAMPLE_ARGS)`; most checks read it, so
the file stays fast. Regenerate it after a deliberate change to the generator with:

    .venv/bin/python -c "from tests.unit.test_generate import regenerate_sample; regenerate_sample()"
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import shutil
import statistics
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from flowmart.demo import jira as gen

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "fixtures" / "jira_demo_sample"
SEEDS = REPO / "seeds"
SAMPLE_ARGS = {"items": 300, "seed": 11, "page_size": 50, "end": date(2026, 11, 15)}
END = datetime(2026, 11, 15, tzinfo=UTC)
JIRA_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$")
CATEGORY_IDS = {"new": 2, "indeterminate": 4, "done": 3}


def regenerate_sample() -> None:
    shutil.rmtree(SAMPLE, ignore_errors=True)
    gen.generate(SAMPLE, **SAMPLE_ARGS)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _ts(text: str) -> datetime:
    assert JIRA_TS.match(text), text
    return datetime.fromisoformat(text)  # Python 3.11 reads Jira's +HHMM offsets


def _load(root: Path) -> list[dict]:
    """Every issue of an export with its full history (changelog pages for truncated ones), oldest first."""
    out = []
    for site_dir in sorted((root / "jira").iterdir()):
        statuses = {s["id"]: s for s in json.loads((site_dir / "status.json").read_text("utf-8"))}
        for page_file in sorted(site_dir.glob("search_page_*.json")):
            for issue in json.loads(page_file.read_text("utf-8"))["issues"]:
                changelog = issue["changelog"]
                pages = sorted((site_dir / "changelog").glob(f"{issue['key']}_page_*.json"))
                full = [h for p in pages for h in json.loads(p.read_text("utf-8"))["values"]]
                histories = full if pages else changelog["histories"]
                histories = sorted(histories, key=lambda h: (_ts(h["created"]), int(h["id"])))
                out.append(
                    {
                        "site": site_dir.name,
                        "issue": issue,
                        "histories": histories,
                        "pages": pages,
                        "statuses": statuses,
                    }
                )
    return out


def _status_moves(entry: dict) -> list[tuple[datetime, dict, dict]]:
    return [
        (_ts(h["created"]), h, item) for h in entry["histories"] for item in h["items"] if item["field"] == "status"
    ]


def _seed(name: str) -> list[dict]:
    with open(SEEDS / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    return _load(SAMPLE)


@pytest.fixture(scope="module")
def demo_4k(tmp_path_factory) -> list[dict]:
    """A default-parameter run large enough for trends and shares (4,000 items, seed 42)."""
    root = tmp_path_factory.mktemp("demo_4k")
    gen.generate(root, items=4000, seed=42)
    return _load(root)


# --- determinism and the committed sample ------------------------------------------------------------------


def test_same_arguments_give_identical_bytes_and_another_seed_does_not(tmp_path):
    a = gen.generate(tmp_path / "a", items=400, seed=3, page_size=60)
    b = gen.generate(tmp_path / "b", items=400, seed=3, page_size=60)
    c = gen.generate(tmp_path / "c", items=400, seed=4, page_size=60)
    assert a == b
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")
    assert a["status_changes"] != c["status_changes"] or a["bytes"] != c["bytes"]


def test_committed_sample_equals_a_fresh_generation(tmp_path):
    gen.generate(tmp_path, **SAMPLE_ARGS)
    assert _tree(SAMPLE) == _tree(tmp_path), "sample is stale: run regenerate_sample() (see module docstring)"
    assert sum(len(b) for b in _tree(SAMPLE).values()) < 3_000_000


def test_rerun_into_the_same_directory_removes_stale_pages(tmp_path):
    gen.generate(tmp_path, items=500, seed=1, page_size=20)
    gen.generate(tmp_path, items=100, seed=1, page_size=20)
    fresh = tmp_path / "fresh"
    gen.generate(fresh, items=100, seed=1, page_size=20)
    assert {k: v for k, v in _tree(tmp_path).items() if not k.startswith("fresh/")} == _tree(fresh)


def test_summary_counts_what_was_written(tmp_path):
    summary = gen.generate(tmp_path, items=250, seed=5, page_size=40)
    files = _tree(tmp_path)
    assert summary["files"] == len(files)
    assert summary["bytes"] == sum(len(b) for b in files.values())
    entries = _load(tmp_path)
    assert summary["items"] == len(entries) == 250
    assert summary["status_changes"] == sum(len(_status_moves(e)) for e in entries)
    # 250 items split 64/36 between the sites: round(250 * 0.64) = 160 and 90
    assert summary["sites"][gen.CLOUD]["items"] == 160 and summary["sites"][gen.DC]["items"] == 90


def test_progress_is_reported_after_every_page(tmp_path):
    calls = []
    gen.generate(tmp_path, items=230, seed=1, page_size=50, progress=lambda done, total: calls.append((done, total)))
    # cloud round(230 * 0.64) = 147 items -> pages of 50, 50, 47; data center 83 -> 50, 33
    assert calls == [(50, 230), (100, 230), (147, 230), (197, 230), (230, 230)]


def test_zero_items_still_writes_a_valid_empty_export(tmp_path):
    summary = gen.generate(tmp_path, items=0)
    assert summary["items"] == 0
    for site in (gen.CLOUD, gen.DC):
        page = json.loads((tmp_path / "jira" / site / "search_page_00001.json").read_text())
        assert page == {"expand": "names,schema", "startAt": 0, "maxResults": 100, "total": 0, "issues": []}


# --- shape ---------------------------------------------------------------------------------------------------


def test_search_pages_have_the_jira_shape():
    for site_dir in sorted((SAMPLE / "jira").iterdir()):
        pages = sorted(site_dir.glob("search_page_*.json"))
        assert [p.name for p in pages] == [f"search_page_{i:05d}.json" for i in range(1, len(pages) + 1)]
        seen = 0
        for page_file in pages:
            page = json.loads(page_file.read_text("utf-8"))
            assert list(page) == ["expand", "startAt", "maxResults", "total", "issues"]
            assert page["startAt"] == seen and page["maxResults"] == SAMPLE_ARGS["page_size"]
            seen += len(page["issues"])
            for issue in page["issues"]:
                assert issue["self"] == f"https://{site_dir.name}/rest/api/2/issue/{issue['id']}"
                assert re.fullmatch(r"[A-Z]+-\d+", issue["key"]) and issue["id"].isdigit()
                f = issue["fields"]
                for key in (
                    "summary",
                    "issuetype",
                    "status",
                    "project",
                    "created",
                    "updated",
                    "resolution",
                    "resolutiondate",
                    "labels",
                    "components",
                    "priority",
                    "assignee",
                ):
                    assert key in f, key
                assert set(f["issuetype"]) >= {"id", "name", "subtask"}
                assert f["status"]["statusCategory"]["id"] == CATEGORY_IDS[f["status"]["statusCategory"]["key"]]
                assert set(f["project"]) >= {"id", "key", "name"} and issue["key"].startswith(f["project"]["key"])
                assert all(set(c) >= {"id", "name"} for c in f["components"])
                assert f["resolution"] is None or set(f["resolution"]) >= {"id", "name"}
                for key in ("created", "updated"):
                    _ts(f[key])
                if f["resolutiondate"] is not None:
                    _ts(f["resolutiondate"])
                cl = issue["changelog"]
                assert list(cl) == ["startAt", "maxResults", "total", "histories"] and cl["startAt"] == 0
                assert cl["maxResults"] == (min(cl["total"], 100))
                assert len(cl["histories"]) == min(cl["total"], 100)
                for h in cl["histories"]:
                    assert list(h) == ["id", "author", "created", "items"]
                    _ts(h["created"])
                    for item in h["items"]:
                        assert {"field", "fieldtype", "from", "fromString", "to", "toString"} <= set(item)
        assert seen == page["total"]


def test_status_lists_have_the_jira_shape_and_cover_every_status_used(sample):
    for site_dir in sorted((SAMPLE / "jira").iterdir()):
        statuses = json.loads((site_dir / "status.json").read_text("utf-8"))
        for s in statuses:
            assert list(s) == [
                "self",
                "description",
                "iconUrl",
                "name",
                "untranslatedName",
                "id",
                "statusCategory",
            ]
            assert s["self"] == f"https://{site_dir.name}/rest/api/2/status/{s['id']}"
            assert set(s["statusCategory"]) == {"self", "id", "key", "colorName", "name"}
    for e in sample:
        statuses = e["statuses"]
        current = e["issue"]["fields"]["status"]
        assert statuses[current["id"]]["name"] == current["name"]
        for _, _, item in _status_moves(e):
            assert item["from"] in statuses and item["to"] in statuses


def test_timestamps_use_several_offsets_and_the_same_instant_appears_with_different_offsets(sample):
    offsets = Counter()
    same_instant_other_offset = 0
    for e in sample:
        f = e["issue"]["fields"]
        offsets.update(h["created"][-5:] for h in e["histories"])
        offsets[f["created"][-5:]] += 1
        if f["resolutiondate"]:
            for h in e["histories"]:
                if h["created"] != f["resolutiondate"] and _ts(h["created"]) == _ts(f["resolutiondate"]):
                    same_instant_other_offset += 1
    # Berlin (+0100/+0200 with DST), New York (-0500/-0400), Kolkata (+0530), UTC (+0000)
    assert {"+0100", "+0200", "-0500", "-0400", "+0530", "+0000"} <= set(offsets)
    assert same_instant_other_offset > 0


def test_zone_rules_agree_with_the_tz_database():
    zoneinfo = pytest.importorskip("zoneinfo")
    for name, zone in gen.ZONES.items():
        try:
            tz = zoneinfo.ZoneInfo(name)
        except zoneinfo.ZoneInfoNotFoundError:
            pytest.skip("no tz database on this machine")
        t = datetime(2023, 1, 1, tzinfo=UTC)
        while t < datetime(2028, 1, 1, tzinfo=UTC):
            ms = int(t.timestamp() * 1000)
            assert zone.offset(ms) == int(t.astimezone(tz).utcoffset().total_seconds() * 1000), (name, t)
            t += timedelta(minutes=30 * 7 + 1)  # walks across every transition hour within a few weeks


# --- histories ---------------------------------------------------------------------------------------------


def test_truncated_changelogs_have_pages_that_cover_the_whole_history(sample):
    truncated = [e for e in sample if e["issue"]["changelog"]["total"] > 100]
    assert {e["site"] for e in truncated} == {gen.CLOUD, gen.DC}
    for e in truncated:
        issue, total = e["issue"], e["issue"]["changelog"]["total"]
        values = []
        for n, path in enumerate(e["pages"], 1):
            assert path.name == f"{issue['key']}_page_{n:03d}.json"
            page = json.loads(path.read_text("utf-8"))
            api = "3" if e["site"] == gen.CLOUD else "2"
            url = f"https://{e['site']}/rest/api/{api}/issue/{issue['key']}/changelog"
            assert page["self"] == f"{url}?startAt={(n - 1) * 100}&maxResults=100"
            assert page["startAt"] == (n - 1) * 100 and page["maxResults"] == 100 and page["total"] == total
            assert page["isLast"] == (n == len(e["pages"]))
            assert ("nextPage" in page) == (not page["isLast"])
            if not page["isLast"]:
                assert page["nextPage"] == f"{url}?startAt={n * 100}&maxResults=100"
            values += page["values"]
        ids = [int(h["id"]) for h in values]
        assert len(ids) == len(set(ids)) == total and ids == sorted(ids)  # pages: oldest first, complete
        embedded = [int(h["id"]) for h in issue["changelog"]["histories"]]
        assert set(embedded) <= set(ids) and len(embedded) == 100
        if e["site"] == gen.CLOUD:  # Jira Cloud embeds the newest 100, newest first
            assert embedded == sorted(ids, reverse=True)[:100]
        else:  # the Data Center site embeds the oldest 100, oldest first
            assert embedded == ids[:100]
    not_truncated = [e for e in sample if e["issue"]["changelog"]["total"] <= 100]
    assert all(not e["pages"] for e in not_truncated)
    assert 0.005 <= len(truncated) / len(sample) <= 0.03


def test_histories_are_consistent_with_the_issue(sample):
    for e in sample:
        f = e["issue"]["fields"]
        created = _ts(f["created"])
        times = [_ts(h["created"]) for h in e["histories"]]
        assert all(created < t < END for t in times), e["issue"]["key"]
        assert times == sorted(times) and len(set(times)) == len(times)
        assert _ts(f["updated"]) == (times[-1] if times else created)
        moves = _status_moves(e)
        for (_, _, a), (_, _, b) in itertools.pairwise(moves):
            assert a["to"] == b["from"], e["issue"]["key"]
        if moves:
            assert moves[-1][2]["to"] == f["status"]["id"]
        done = f["status"]["statusCategory"]["key"] == "done"
        assert (f["resolution"] is not None) == done == (f["resolutiondate"] is not None), e["issue"]["key"]
        if done:
            set_at = [
                _ts(h["created"])
                for h in e["histories"]
                for i in h["items"]
                if i["field"] == "resolution" and i["to"] is not None
            ]
            assert set_at and set_at[-1] == _ts(f["resolutiondate"])


def test_people_move_work_in_their_own_working_hours(sample):
    """Status changes by people (not bots) are written in the author's zone, Mon-Fri 08:00-18:00, no holiday."""
    holidays = {d for d, _ in gen.company_holidays(range(2024, 2027))}
    ok = total = 0
    for e in sample:
        for t, h, _ in _status_moves(e):
            if h["author"]["displayName"] in ("Automation for Jira", "GitHub for Jira", "Jira Automation"):
                continue
            assert h["author"]["timeZone"] in gen.ZONES
            total += 1
            ok += t.weekday() < 5 and 8 <= t.hour < 18 and t.date() not in holidays
    assert ok / total > 0.99


def test_sample_contains_every_lifecycle_the_marts_must_handle(sample):
    seen = Counter()
    canceled = {r["resolution"] for r in _seed("canceled_resolutions")}
    for e in sample:
        f = e["issue"]["fields"]
        cat = {s: e["statuses"][s]["statusCategory"]["key"] for s in e["statuses"]}
        moves = [(m["from"], m["to"]) for _, _, m in _status_moves(e)]
        names = [(m["fromString"], m["toString"]) for _, _, m in _status_moves(e)]
        if not moves:
            seen["never started"] += f["status"]["statusCategory"]["key"] == "new"
        if any(cat[a] == "done" and cat[b] != "done" for a, b in moves):
            seen["reopened"] += 1
        if f["resolution"] and f["resolution"]["name"] in canceled:
            seen["canceled (resolution)"] += 1
        if f["status"]["name"] == "Canceled":
            seen["canceled (status)"] += 1
        first_resolution = next(
            (i["toString"] for h in e["histories"] for i in h["items"] if i["field"] == "resolution"), None
        )
        if moves and cat[moves[0][0]] == "new" and cat[moves[0][1]] == "done" and first_resolution not in canceled:
            seen["straight to done"] += 1
        if f["status"]["statusCategory"]["key"] == "indeterminate":
            seen["in progress at end"] += 1
        if ("In Review", "In Progress") in names or ("Code Review", "In Development") in names:
            seen["backward move"] += 1
        if any(b == "Blocked" for _, b in names):
            seen["blocked"] += 1
        if any("In QA" in pair for pair in names):
            seen["renamed status"] += 1
        if any(b in gen.UNMAPPED_STATUSES for _, b in names):
            seen["unmapped status"] += 1
        if f["issuetype"]["name"] == "Spike":
            seen["unmapped type"] += 1
        if f["issuetype"]["subtask"]:
            seen["sub-task with parent"] += "parent" in f
        if len({h["created"][-5:] for h in e["histories"]}) > 1:
            seen["several offsets in one issue"] += 1
        if any(len(h["items"]) > 1 for h in e["histories"]):
            seen["history with several items"] += 1
        if any(i["field"] != "status" for h in e["histories"] for i in h["items"]):
            seen["non-status history"] += 1
    for what in (
        "never started",
        "reopened",
        "canceled (resolution)",
        "canceled (status)",
        "straight to done",
        "in progress at end",
        "backward move",
        "blocked",
        "renamed status",
        "unmapped status",
        "unmapped type",
        "sub-task with parent",
        "several offsets in one issue",
        "history with several items",
        "non-status history",
    ):
        assert seen[what] > 0, what


def test_enterprise_ops_gets_slower_in_2026_h1(demo_4k):
    """The demo's headline trend: the Enterprise Fleet Operations stream slows down in 2026-H1 and recovers."""
    by_half: dict[str, list[float]] = {}
    for e in demo_4k:
        f = e["issue"]["fields"]
        if not (f["project"]["key"] == "ENT" and any(c["name"].startswith("Ops ") for c in f["components"])):
            continue
        if f["resolution"] is None or f["resolution"]["name"] != "Done" or "compliance" in f["labels"]:
            continue
        started = [t for t, _, m in _status_moves(e) if m["toString"] == "In Progress"]
        if started:
            done = _ts(f["resolutiondate"]).astimezone(UTC)
            half = f"{done.year}-H{1 if done.month <= 6 else 2}"
            by_half.setdefault(half, []).append((done - started[0]).total_seconds() / 86400)
    median = {k: statistics.median(v) for k, v in by_half.items()}
    assert median["2026-H1"] > 1.3 * median["2025-H2"]
    assert median["2026-H2"] < median["2026-H1"]


# --- streaming ---------------------------------------------------------------------------------------------


def test_generation_streams_in_bounded_memory(tmp_path):
    """Memory must not grow with the item count: one page of issues is held at a time.

    tracemalloc slows this generator down ~20x (24 s of CPU for 5,000 items), so the test samples
    sys.getallocatedblocks() (the interpreter's live memory blocks, O(1) to read) after every page instead.
    A page of 50 issues in flight is ~15,000 blocks; keeping every issue would add ~100 blocks per item,
    i.e. ~500,000 blocks for these 5,000 items.
    """
    blocks: list[int] = []
    before = sys.getallocatedblocks()
    gen.generate(
        tmp_path,
        items=5_000,
        seed=2,
        page_size=50,
        progress=lambda done, total: blocks.append(sys.getallocatedblocks()),
    )
    assert len(blocks) == 100
    assert max(blocks) - before < 100_000  # the largest page (with its truncated changelogs) in flight
    assert max(blocks[50:]) - max(blocks[:50]) < 20_000  # no growth from the first to the second half


# --- the demo mapping seeds ----------------------------------------------------------------------------------


def test_value_streams_seed_describes_three_top_level_and_two_supporting_streams():
    streams = _seed("value_streams")
    assert list(streams[0]) == [
        "value_stream_id",
        "name",
        "customer_segment",
        "persona",
        "stream_kind",
        "serves",
        "north_star_metric",
        "start_trigger",
        "finish_line",
        "outcome",
    ]
    kinds = Counter(s["stream_kind"] for s in streams)
    assert kinds == {"top_level": 3, "supporting": 2}
    top = {s["value_stream_id"] for s in streams if s["stream_kind"] == "top_level"}
    for s in streams:
        assert all(
            s[k]
            for k in (
                "value_stream_id",
                "name",
                "customer_segment",
                "persona",
                "north_star_metric",
                "start_trigger",
                "finish_line",
            )
        )
        assert re.fullmatch(r"We win when .+ happens for .+", s["outcome"])
        if s["stream_kind"] == "supporting":
            assert s["serves"] and set(s["serves"].split("|")) <= top
        else:
            assert s["serves"] == ""
    assert {s["value_stream_id"] for s in streams} == {r for r in gen.PROFILES if r}
    assert {"SMB", "Enterprise"} <= {s["customer_segment"] for s in streams}


def test_seeds_reference_only_streams_and_statuses_that_exist():
    streams = {s["value_stream_id"] for s in _seed("value_streams")}
    rules = _seed("stream_assignment_rules")
    assert list(rules[0]) == [
        "priority",
        "source",
        "instance",
        "match_field",
        "match_type",
        "match_value",
        "value_stream_id",
    ]
    assert len({r["priority"] for r in rules}) == len(rules)
    for r in rules:
        assert r["value_stream_id"] in streams
        assert r["match_field"] in ("project", "component", "label", "area_path")
        assert r["match_type"] in ("exact", "pattern")
        assert r["instance"] in ("*", gen.CLOUD, gen.DC)
    mappings = _seed("status_mappings")
    assert list(mappings[0]) == [
        "source",
        "instance",
        "status_id",
        "status",
        "value_stream_id",
        "flow_state",
        "stage",
        "note",
    ]
    jira_statuses = {s.name for site in gen.SITES for s in site.statuses} | {
        old for site in gen.SITES for old, _ in site.renamed.values()
    }
    for m in mappings:
        assert m["value_stream_id"] in streams | {""}
        assert m["flow_state"] in ("new", "active", "waiting", "done", "canceled") and m["stage"]
        if m["source"] == "jira":
            assert m["status"] in jira_statuses
    mapped = {m["status"] for m in mappings if m["source"] == "jira"}
    assert jira_statuses - mapped == set(gen.UNMAPPED_STATUSES)
    # the seed says what the generator intends
    for site in gen.SITES:
        for s in site.statuses:
            if s.flow_state:
                assert {
                    "status": s.name,
                    "instance": "*",
                    "status_id": "",
                    "value_stream_id": "",
                    "flow_state": s.flow_state,
                    "stage": s.stage,
                    "source": "jira",
                    "note": "",
                } in mappings
    targets = _seed("flow_distribution_targets")
    for stream in streams:
        rows = [t for t in targets if t["value_stream_id"] == stream]
        assert sorted(t["flow_item_type"] for t in rows) == ["debt", "defect", "feature", "risk"]
        assert sum(float(t["target_pct"]) for t in rows) == 100
    for t in _seed("flow_item_types"):
        assert t["flow_item_type"] in ("feature", "defect", "risk", "debt", "exclude")
    canceled = {r["resolution"] for r in _seed("canceled_resolutions") if r["source"] == "jira"}
    assert {r for site in gen.SITES for r in site.cancel_resolutions} <= canceled
    assert not {site.done_resolution for site in gen.SITES} & canceled


def test_holidays_seed_is_the_calendar_the_generator_uses():
    rows = _seed("holidays")
    assert [(r["holiday_date"], r["name"]) for r in rows] == [
        (d.isoformat(), n) for d, n in gen.company_holidays(range(2024, 2028))
    ]
    assert ("2026-04-03", "Good Friday") in [(r["holiday_date"], r["name"]) for r in rows]  # Easter 2026: 5 April


def _stream_of(site: str, fields: dict, rules: list[dict]) -> str:
    """The seed's rule semantics (seeds/_seeds.yml): lowest matching priority wins; LIKE for patterns."""
    values = {
        "project": [fields["project"]["key"]],
        "component": [c["name"] for c in fields["components"]],
        "label": fields["labels"],
        "area_path": [],
    }
    for r in sorted(rules, key=lambda r: int(r["priority"])):
        if r["source"] not in ("jira", "*") or r["instance"] not in (site, "*"):
            continue
        if r["match_type"] == "exact":
            hit = r["match_value"] in values[r["match_field"]]
        else:
            rx = re.compile("^" + ".*".join(re.escape(p).replace("_", ".") for p in r["match_value"].split("%")) + "$")
            hit = any(rx.match(v) for v in values[r["match_field"]])
        if hit:
            return r["value_stream_id"]
    return "unassigned"


def _flow_type(fields: dict, types: list[dict]) -> str | None:
    rows = [t for t in types if t["source"] == "jira" and t["tracker_item_type"] == fields["issuetype"]["name"]]
    labelled = [t for t in rows if t["label"] and t["label"] in fields["labels"]]
    plain = [t for t in rows if not t["label"]]
    return (labelled or plain or [{"flow_item_type": None}])[0]["flow_item_type"]


def test_every_stream_gets_items_and_a_few_stay_unassigned(demo_4k):
    rules = _seed("stream_assignment_rules")
    counts = Counter()
    for e in demo_4k:
        counts[_stream_of(e["site"], e["issue"]["fields"], rules)] += 1
    streams = {s["value_stream_id"] for s in _seed("value_streams")}
    assert set(counts) == streams | {"unassigned"}
    assert 0.005 < counts["unassigned"] / len(demo_4k) < 0.05
    # labels and components both matter: compliance work in 'Ops Reporting' belongs to enterprise_it (rule 40)
    assert counts["enterprise_it"] > 0 and counts["platform"] > counts["enterprise_it"]


def test_all_four_flow_item_types_are_present_and_only_the_deliberate_types_are_unmapped(sample):
    types = _seed("flow_item_types")
    found, unmapped, excluded = Counter(), set(), set()
    for e in sample:
        t = _flow_type(e["issue"]["fields"], types)
        if t is None:
            unmapped.add(e["issue"]["fields"]["issuetype"]["name"])
        if t == "exclude":
            excluded.add(e["issue"]["fields"]["issuetype"]["name"])
        found[t] += 1
    assert {"feature", "defect", "risk", "debt"} <= set(found)
    assert unmapped == set(gen.UNMAPPED_ISSUE_TYPES)
    assert excluded == set(gen.EXCLUDED_ISSUE_TYPES)
    assert found[None] / len(sample) < 0.1


@pytest.mark.parametrize(
    "options",
    [{}, {"compress": True}, {"end": date(2026, 11, 1), "since": date(2026, 10, 1)}],
    ids=["plain", "gzip", "cut-delta"],
)
def test_an_interrupted_run_resumed_gives_the_files_of_an_uninterrupted_one(tmp_path, monkeypatch, options):
    monkeypatch.setattr(gen, "CHECKPOINT_SECONDS", 0.0)  # save the place after every page

    class Interrupted(Exception):
        pass

    def stop_at(items):
        def progress(done, total):
            if done >= items:
                raise Interrupted

        return progress

    whole = tmp_path / "whole"
    expected = gen.generate(whole, items=900, seed=3, page_size=10, **options)
    first, second = (site["items"] for site in expected["sites"].values())
    assert first > 20 and second > 20  # several pages in each site
    resumed = tmp_path / "resumed"
    # interrupted halfway through the first site, then halfway through the second
    with pytest.raises(Interrupted):
        gen.generate(resumed, items=900, seed=3, page_size=10, progress=stop_at(first // 2), **options)
    assert (resumed / gen.STATE_FILE).exists()
    with pytest.raises(Interrupted):
        gen.generate(
            resumed, items=900, seed=3, page_size=10, progress=stop_at(first + second // 2), resume=True, **options
        )
    reported: list[int] = []
    summary = gen.generate(
        resumed,
        items=900,
        seed=3,
        page_size=10,
        resume=True,
        progress=lambda done, total: reported.append(done),
        **options,
    )
    # it carried on in the second site: the first page it wrote was past the first site's items
    assert reported[0] > first
    assert not (resumed / gen.STATE_FILE).exists()
    assert summary == expected
    assert _tree(resumed) == _tree(whole)


def test_resume_with_other_arguments_starts_again(tmp_path, monkeypatch):
    monkeypatch.setattr(gen, "CHECKPOINT_SECONDS", 0.0)

    def interrupt(done, total):
        if done >= 100:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        gen.generate(tmp_path / "a", items=400, seed=3, page_size=20, progress=interrupt)
    # another seed: the saved place is not this run's, so it starts from the beginning (and replaces it)
    summary = gen.generate(tmp_path / "a", items=400, seed=4, page_size=20, resume=True)
    fresh = gen.generate(tmp_path / "b", items=400, seed=4, page_size=20)
    assert summary == fresh and _tree(tmp_path / "a") == _tree(tmp_path / "b")
