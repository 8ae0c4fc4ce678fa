"""Pull assets: one per tracker instance configured in ``flowmart.yml`` (``$FLOWMART_PULL_CONFIG``), each
fetching the instance's API pages into the landing folder and landing them with
:func:`flowmart.pipeline.pull` (incremental by the warehouse's cursor). The landing assets depend on them,
so the daily refresh pulls, lands, gates, builds and publishes; the landing-folder sensor's runs leave the
pulls out (a pull writes into the folder it watches). Without a config file there are no pull assets and
exports are dropped into the landing folder by hand, as before. See docs/trackers.md.

    # flowmart.yml
    pull:
      - tracker: jira
        url: https://example.atlassian.net
        jql: project in (FLEET, PAY)        # optional
      - tracker: github
        repo: acme-mobility/driver-app
        api_url: https://github.example.com/api/v3   # optional (GitHub Enterprise)

Credentials come from the environment of the Dagster process (JIRA_EMAIL + JIRA_API_TOKEN or JIRA_TOKEN,
GITHUB_TOKEN), never from the file.
"""

import os
import re
from pathlib import Path

import dagster as dg
import yaml

from flowmart import pipeline, settings
from orchestration.resources import POOL, WarehouseResource, retry_on_lock

GROUP = "pull"
CONFIG_ENV = "FLOWMART_PULL_CONFIG"
TARGETS = {"jira": "url", "github": "repo"}
OPTIONAL = {"jira": {"jql", "deployment"}, "github": {"api_url"}}


class PullConfigError(ValueError):
    """flowmart.yml names an unknown tracker or lacks what a pull needs (one line)."""


def config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or settings.PROJECT_DIR / "flowmart.yml")


def pull_entries(path: Path | None = None) -> list[dict]:
    """The ``pull:`` entries of the config file, checked; none when the file does not exist."""
    path = path or config_path()
    if not path.exists():
        return []
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PullConfigError(f"{path}: not YAML ({str(exc).splitlines()[0]})") from None
    entries = document.get("pull") or [] if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise PullConfigError(f"{path}: 'pull' must be a list of trackers to pull")
    checked = []
    for number, entry in enumerate(entries, start=1):
        tracker = entry.get("tracker") if isinstance(entry, dict) else None
        if tracker not in TARGETS:
            raise PullConfigError(f"{path}: pull entry {number}: tracker must be one of {', '.join(TARGETS)}")
        target = entry.get(TARGETS[tracker])
        if not target:
            raise PullConfigError(f"{path}: pull entry {number}: {tracker} needs '{TARGETS[tracker]}'")
        unknown = set(entry) - {"tracker", TARGETS[tracker]} - OPTIONAL[tracker]
        if unknown:
            raise PullConfigError(f"{path}: pull entry {number}: unknown key(s) {', '.join(sorted(unknown))}")
        checked.append(entry)
    return checked


def pull_key(entry: dict) -> dg.AssetKey:
    target = entry[TARGETS[entry["tracker"]]]
    slug = re.sub(r"[^a-z0-9]+", "_", re.sub(r"^https?://", "", target.lower())).strip("_")
    return dg.AssetKey([GROUP, f"{entry['tracker']}__{slug}"])


def build_pull_asset(entry: dict) -> dg.AssetsDefinition:
    tracker, target = entry["tracker"], entry[TARGETS[entry["tracker"]]]

    @dg.asset(
        key=pull_key(entry),
        group_name=GROUP,
        kinds={"python"},
        pool=POOL,
        description=f"Pull {tracker} {target} through its API into the landing folder and land it (incremental).",
        metadata={"flowmart/source": tracker, "flowmart/target": target},
    )
    def _pull(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        options = pipeline.PullOptions(
            tracker=tracker,
            target=target,
            jql=entry.get("jql"),
            api_url=entry.get("api_url"),
            deployment=entry.get("deployment"),
            out=warehouse.landing_path(),
        )
        with retry_on_lock(context):
            outcome = pipeline.pull(warehouse.warehouse(), options, say=context.log.info)
        landed = [r for r in outcome.landed if r.status == "landed"]
        return dg.MaterializeResult(
            metadata={
                "pages": outcome.pages,
                "items": outcome.items,
                "since": outcome.since or "everything (first or full pull)",
                "files_landed": len(landed),
                "rows_landed": sum(r.rows for r in landed),
                "export_folder": dg.MetadataValue.path(str(outcome.folder)),
            }
        )

    return _pull


PULL_ENTRIES = pull_entries()
PULL_ASSETS: list[dg.AssetsDefinition] = [build_pull_asset(entry) for entry in PULL_ENTRIES]


def pull_keys(tracker: str) -> list[dg.AssetKey]:
    return [pull_key(entry) for entry in PULL_ENTRIES if entry["tracker"] == tracker]
