"""Dagster pulls: flowmart.yml gives one pull asset per tracker instance, the landing assets depend on them,
the landing-folder sensor's runs leave them out, and a pull asset pulls (replay server) and lands."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import dagster as dg
import pytest

from tests.integration.conftest import REPO, query
from tests.replay import Replay

FIXTURES = REPO / "tests" / "fixtures"

CONFIG = """
pull:
  - tracker: jira
    url: https://example.atlassian.net
    jql: project = FLEET
  - tracker: github
    repo: acme-mobility/rider-app
"""

PROBE = """
import json
from orchestration.definitions import defs
from orchestration.sensors import refresh_keys_without_pulls
graph = defs.resolve_asset_graph()
pulls = sorted(k.to_user_string() for k in graph.get_all_asset_keys() if k.path[0] == "pull")
landing = graph.get(dg.AssetKey(["raw", "github_issues"]))
print(json.dumps({
    "pulls": pulls,
    "github_landing_parents": sorted(k.to_user_string() for k in landing.parent_keys),
    "sensor_selection_has_pulls": any(k.path[0] == "pull" for k in refresh_keys_without_pulls()),
    "refresh_job_has_pulls": any(
        k.path[0] == "pull" for k in defs.get_job_def("flowmart_refresh").asset_layer.executable_asset_keys
    ),
}))
""".replace("import json\n", "import json\nimport dagster as dg\n", 1)


def test_flowmart_yml_gives_pull_assets_that_feed_landing_and_the_sensor_leaves_out(tmp_path):
    config = tmp_path / "flowmart.yml"
    config.write_text(CONFIG)
    env = {**os.environ, "FLOWMART_PULL_CONFIG": str(config), "FLOWMART_DB": str(tmp_path / "w.duckdb")}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found["pulls"] == ["pull/github__acme_mobility_rider_app", "pull/jira__example_atlassian_net"]
    assert "pull/github__acme_mobility_rider_app" in found["github_landing_parents"]
    assert found["refresh_job_has_pulls"] and not found["sensor_selection_has_pulls"]


def test_a_bad_flowmart_yml_is_one_line(tmp_path):
    from orchestration.pull import PullConfigError, pull_entries

    bad = tmp_path / "flowmart.yml"
    bad.write_text("pull:\n  - tracker: youtrack\n    url: https://x\n")
    with pytest.raises(PullConfigError, match="pull entry 1: tracker must be one of jira, github"):
        pull_entries(bad)
    bad.write_text("pull:\n  - tracker: jira\n    jql: project = X\n")
    with pytest.raises(PullConfigError, match="jira needs 'url'"):
        pull_entries(bad)
    assert pull_entries(tmp_path / "absent.yml") == []


def test_a_pull_asset_pulls_and_lands_before_the_landing_asset(tmp_path, monkeypatch):
    from orchestration.landing import LANDING_ASSETS
    from orchestration.pull import build_pull_asset
    from orchestration.resources import WarehouseResource, dbt_resource

    issues = json.loads((FIXTURES / "github" / "issues_page_001.json").read_text())
    events = json.loads((FIXTURES / "github" / "issue_events_page_001.json").read_text())
    db, landing = tmp_path / "w.duckdb", tmp_path / "landing"
    monkeypatch.setenv("FLOWMART_DB", str(db))
    monkeypatch.setenv("FLOWMART_LANDING_DIR", str(landing))
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_dagster_test_token")
    with Replay("github", "Bearer ghp_dagster_test_token", issues=issues, events=events, page_cap=5) as replay:
        asset = build_pull_asset({"tracker": "github", "repo": "acme-mobility/rider-app", "api_url": replay.url})
        github_landing = next(a for a in LANDING_ASSETS if a.node_def.name == "land_github")
        result = dg.materialize(
            [asset, github_landing], resources={"warehouse": WarehouseResource(), "dbt": dbt_resource()}
        )
    assert result.success
    metadata = {
        e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }
    pulled = metadata["pull/github__acme_mobility_rider_app"]
    assert (pulled["items"], pulled["files_landed"]) == (7, 2 + 5)  # 7 issues: 2 pages; 22 events: 5 pages
    # the landing asset found the pulled files already landed
    assert metadata["raw/github_issues"]["files_landed"] == 0
    assert query(db, "select count(*) from raw.sync_state where source = 'github'") == [(1,)]
