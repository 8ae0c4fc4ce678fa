"""One writer at a time: the instance config queues writer runs, and a locked warehouse file is retried."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import yaml

from flowmart import trackers
from orchestration import resources as dagster_resources
from orchestration.jobs import JOBS
from orchestration.landing import LANDING_ASSETS
from orchestration.quality import QUALITY_ASSETS, QUALITY_CHECKS
from orchestration.resources import POOL, WRITER_TAGS, WarehouseResource

DAGSTER_YAML = Path(dagster_resources.__file__).with_name("dagster.yaml")


def test_instance_config_limits_writers_to_one():
    settings = yaml.safe_load(DAGSTER_YAML.read_text())
    with dg.instance_for_test(overrides=settings) as instance:
        config = instance.get_concurrency_config()
        [limit] = config.run_queue_config.tag_concurrency_limits
        assert (limit["key"], limit["value"], limit["limit"]) == (*next(iter(WRITER_TAGS.items())), 1)
        assert config.pool_config.default_pool_limit == 1
    for job in JOBS:
        assert job.tags == WRITER_TAGS
    for asset in [*LANDING_ASSETS, *QUALITY_ASSETS, *QUALITY_CHECKS]:
        assert asset.op.pool == POOL


def test_a_locked_warehouse_is_retried_with_backoff(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    landing = tmp_path / "landing"
    (landing / "csv").mkdir(parents=True)
    (landing / "csv" / "status_changes.csv").write_text(
        "source,instance,item_key,change_id,changed_at,from_status,to_status\n"
        "youtrack,acme,YT-1,1,2024-01-02T12:00:00Z,Open,In Progress\n"
    )
    ready = tmp_path / "locked"
    # another process holds the warehouse file for 1.5 seconds
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import duckdb, pathlib, time
        con = duckdb.connect({str(db)!r})
        pathlib.Path({str(ready)!r}).touch()
        time.sleep(1.5)
        con.close()
    """),
        ]
    )
    try:
        deadline = time.time() + 30
        while not ready.exists() and time.time() < deadline:
            time.sleep(0.05)
        monkeypatch.setattr(dagster_resources, "LOCK_BACKOFF_BASE_SECONDS", 0.5)
        land_csv = next(a for a in LANDING_ASSETS if a.op.name == "land_csv")
        result = dg.materialize(
            [land_csv],
            resources={"warehouse": WarehouseResource(db=str(db), landing_dir=str(landing))},
        )
    finally:
        holder.wait(timeout=30)
    assert result.success
    retries = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    assert retries, "the step did not wait for the lock"
    rows = {
        e.asset_key.path[-1]: e.materialization.metadata["dagster/row_count"].value
        for e in result.get_asset_materialization_events()
    }
    assert set(rows) == set(trackers.get("csv").table_names)
    assert rows["csv_status_changes"] == 1
