"""The landing-folder sensor: a new or changed export file triggers one refresh run.

The cursor remembers each file's size and modification time (JSON ``{path: "size:mtime_ns"}``), so a file
triggers once and again only when it changes. Files modified in the last :data:`SETTLE_SECONDS` are left
for the next tick, so a file still being copied is not landed half-written.
"""

import hashlib
import json
import os
import time
from pathlib import Path

import dagster as dg

from flowmart import settings
from orchestration.jobs import refresh_job
from orchestration.landing import landing_files

SETTLE_SECONDS = 5.0
INTERVAL_SECONDS = int(os.environ.get("FLOWMART_SENSOR_INTERVAL", "30"))


def scan(landing_dir: Path, now: float | None = None, settle_seconds: float = SETTLE_SECONDS) -> dict[str, str]:
    """``{path: "size:mtime_ns"}`` of the landable files that have not changed for ``settle_seconds``."""
    now = time.time() if now is None else now
    state = {}
    for path in landing_files(landing_dir):
        try:
            stat = path.stat()
        except OSError:  # removed between listing and stat
            continue
        if now - stat.st_mtime < settle_seconds:
            continue
        state[str(path)] = f"{stat.st_size}:{stat.st_mtime_ns}"
    return state


def new_or_changed(state: dict[str, str], seen: dict[str, str]) -> list[str]:
    """Files in ``state`` that ``seen`` does not hold with the same size and modification time."""
    return sorted(path for path, signature in state.items() if seen.get(path) != signature)


def parse_cursor(cursor: str | None) -> dict[str, str]:
    if not cursor:
        return {}
    try:
        value = json.loads(cursor)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


@dg.sensor(
    name="landing_folder_sensor",
    job=refresh_job,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Refresh the warehouse when a new or changed export lands in $FLOWMART_LANDING_DIR (./landing).",
)
def landing_folder_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    landing_dir = settings.landing_dir()
    seen = parse_cursor(context.cursor)
    state = scan(landing_dir)
    changed = new_or_changed(state, seen)
    # keep what is seen now, plus files seen before that are merely settling (still being rewritten)
    cursor = json.dumps({**{p: s for p, s in seen.items() if Path(p).exists()}, **state}, sort_keys=True)
    if not changed:
        return dg.SensorResult(skip_reason=dg.SkipReason(f"no new or changed file in {landing_dir}"), cursor=cursor)
    digest = hashlib.sha256("\n".join(f"{p}\t{state[p]}" for p in changed).encode()).hexdigest()[:16]
    context.log.info(f"{len(changed)} new or changed file(s) in {landing_dir}: {', '.join(changed[:10])}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"landing-{digest}",
                # everything the refresh does but pulling: the files are here already, and a pull writes
                # into this folder (it would wake the sensor again)
                asset_selection=refresh_keys_without_pulls(),
                tags={"flowmart/trigger": "landing_folder_sensor", "flowmart/files": str(len(changed))},
            )
        ],
        cursor=cursor,
    )


def refresh_keys_without_pulls() -> list[dg.AssetKey] | None:
    """The refresh job's assets minus the pull assets (None: there are no pulls, run the whole job)."""
    from orchestration.definitions import defs
    from orchestration.pull import PULL_ASSETS

    if not PULL_ASSETS:
        return None
    pulls = {key for asset in PULL_ASSETS for key in asset.keys}
    graph = defs.resolve_asset_graph()
    selected = refresh_job.selection.resolve(graph)
    return sorted(selected - pulls, key=lambda key: key.to_user_string())


SENSORS = [landing_folder_sensor]
