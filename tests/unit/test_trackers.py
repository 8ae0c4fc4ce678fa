"""The tracker registry is the one list: every other place that knows a tracker reads it or agrees with it."""

from __future__ import annotations

from pathlib import Path

import yaml

from flowmart import trackers
from flowmart.cli import build_parser

REPO = Path(__file__).resolve().parents[2]


def test_each_tracker_s_dbt_sources_are_its_raw_tables():
    for tracker in trackers.all_trackers():
        sources_file = REPO / "models" / "staging" / tracker.name / f"_{tracker.name}__sources.yml"
        [source] = yaml.safe_load(sources_file.read_text())["sources"]
        assert source["name"] == tracker.name
        assert source["schema"] == "raw"
        assert {t["name"] for t in source["tables"]} == set(tracker.table_names), tracker.name


def test_raw_tables_are_prefixed_by_their_tracker_and_kinds_land_in_its_tables():
    for tracker in trackers.all_trackers():
        assert all(name.startswith(f"{tracker.name}_") for name in tracker.table_names), tracker.name
        assert all(kind.table in tracker.table_names for kind in tracker.kinds), tracker.name


def test_the_dbt_models_the_registry_names_exist():
    models = {path.stem for path in (REPO / "models").rglob("*.sql")}
    for tracker in trackers.all_trackers():
        assert {tracker.dbt.work_items, tracker.dbt.status_changes} <= models, tracker.name


def test_the_cli_offers_every_tracker_and_names_its_instance():
    land = build_parser()._subparsers._group_actions[0].choices["land"]
    source = next(a for a in land._actions if a.dest == "source")
    instance = next(a for a in land._actions if a.dest == "instance")
    assert list(source.choices) == list(trackers.names()) == ["jira", "csv", "github", "gitlab", "azure", "linear"]
    for tracker in trackers.all_trackers():
        assert tracker.instance_hint in instance.help
