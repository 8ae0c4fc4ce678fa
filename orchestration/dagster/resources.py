"""Resources and shared helpers: the warehouse file, the dbt project, and the one-writer rules.

One writer at a time: DuckDB lets one process hold a database file for writing. Every op that opens the
warehouse is in the concurrency pool :data:`POOL` (limit 1, see ``orchestration/dagster/dagster.yaml``)
and every job that writes it carries :data:`WRITER_TAGS` (a run-queue limit of 1), so a second trigger
queues instead of failing on the file lock. A lock held by something outside Dagster (the CLI, a BI tool
with a write connection) is a transient error: the op asks to be retried with exponential backoff.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from orchestration import config

# ---------------------------------------------------------------------------------------------
# one writer at a time

POOL = "flowmart_duckdb"
"""Concurrency pool of every op that opens the warehouse file (limit 1 in dagster.yaml)."""

WRITER_TAG_KEY = "flowmart/duckdb"
WRITER_TAGS = {WRITER_TAG_KEY: "writer"}
"""Tags of runs that write the warehouse; the run queue lets one such run in progress at a time."""

MAX_LOCK_RETRIES = 5
LOCK_BACKOFF_BASE_SECONDS = 10.0
LOCK_BACKOFF_CAP_SECONDS = 300.0

_LOCK_MESSAGES = ("could not set lock on file", "conflicting lock is held")


def is_lock_error(error: BaseException | str) -> bool:
    """True when ``error`` is DuckDB refusing the file because another process holds its lock."""
    text = str(error).lower()
    return any(message in text for message in _LOCK_MESSAGES)


def lock_backoff_seconds(retry_number: int, base: float | None = None, cap: float | None = None) -> float:
    """Seconds to wait before retry ``retry_number + 1``: base, 2*base, 4*base, ... at most ``cap``."""
    base = LOCK_BACKOFF_BASE_SECONDS if base is None else base
    cap = LOCK_BACKOFF_CAP_SECONDS if cap is None else cap
    return min(cap, base * 2 ** max(retry_number, 0))


@contextmanager
def retry_on_lock(context: dg.OpExecutionContext | dg.AssetExecutionContext) -> Iterator[None]:
    """Turn a DuckDB file-lock error inside the block into a retry with exponential backoff.

    Any other error fails the step at once: only the lock is transient.
    """
    try:
        yield
    except dg.RetryRequested:
        raise
    except Exception as exc:
        if not is_lock_error(exc):
            raise
        retry_number = context.retry_number
        wait = lock_backoff_seconds(retry_number)
        context.log.warning(
            f"the warehouse file is locked by another process (attempt {retry_number + 1} of "
            f"{MAX_LOCK_RETRIES + 1}); retrying in {wait:.0f} s: {str(exc).splitlines()[0]}"
        )
        raise dg.RetryRequested(max_retries=MAX_LOCK_RETRIES, seconds_to_wait=wait) from exc


# ---------------------------------------------------------------------------------------------
# the warehouse


class WarehouseResource(dg.ConfigurableResource):
    """Where the DuckDB warehouse and the landing folder are.

    Unset fields follow the same rules as the CLI: ``$FLOWMART_DB`` else ``./warehouse/flowmart.duckdb``,
    ``$FLOWMART_LANDING_DIR`` else ``./landing`` (read when a run starts, not when definitions load).
    """

    db: str | None = None
    landing_dir: str | None = None

    def db_path(self) -> Path:
        return config.db_path(self.db)

    def landing_path(self) -> Path:
        return config.landing_dir(self.landing_dir)


# ---------------------------------------------------------------------------------------------
# the dbt project: built once, manifest prepared at load, never a stale one

DBT_TARGET = Path("target") / "dagster"
"""Where the manifest Dagster loads lives (gitignored; separate from ad-hoc `dbt` runs in target/)."""

FINGERPRINT_FILE = "flowmart_fingerprint.txt"
_PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml", "selectors.yml")
_PROJECT_FOLDERS = ("models", "macros", "seeds", "data-tests", "snapshots", "analyses")


class ManifestError(RuntimeError):
    pass


def project_fingerprint(project_dir: Path = config.PROJECT_DIR) -> str:
    """A digest of every file dbt parses (path, size, mtime): it changes whenever the project does."""
    sha = hashlib.sha256()
    paths = [project_dir / name for name in _PROJECT_FILES]
    for folder in _PROJECT_FOLDERS:
        root = project_dir / folder
        if root.is_dir():
            paths.extend(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    for path in sorted(paths):
        if path.is_file():
            stat = path.stat()
            sha.update(f"{path.relative_to(project_dir)}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
    try:
        from dbt.version import __version__ as dbt_version
    except ImportError:  # pragma: no cover
        dbt_version = "?"
    sha.update(f"dbt {dbt_version}".encode())
    return sha.hexdigest()


def dbt_executable() -> str:
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def manifest_is_fresh(project: DbtProject) -> bool:
    stamp = project.manifest_path.parent / FINGERPRINT_FILE
    if not project.manifest_path.exists() or not stamp.exists():
        return False
    return stamp.read_text().strip() == project_fingerprint(project.project_dir)


def prepare_manifest(project: DbtProject, force: bool = False) -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project files; return its path.

    The parse writes to a private folder and the manifest is moved into place atomically, so a code
    server and a run worker loading the definitions at the same moment never read a half-written file.
    """
    if not force and manifest_is_fresh(project):
        return project.manifest_path
    fingerprint = project_fingerprint(project.project_dir)
    final_dir = project.manifest_path.parent
    scratch = final_dir.parent / f".parse-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.setdefault("FLOWMART_DB", str(config.db_path()))
    command = [
        dbt_executable(),
        "parse",
        "--quiet",
        "--project-dir",
        str(project.project_dir),
        "--profiles-dir",
        str(project.profiles_dir),
        "--target-path",
        str(scratch),
    ]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        manifest = scratch / "manifest.json"
        if done.returncode != 0 or not manifest.exists():
            output = (done.stdout + done.stderr).strip().splitlines()
            raise ManifestError(
                "`dbt parse` failed, so the dbt assets cannot be loaded:\n" + "\n".join(output[-20:])
            )
        final_dir.mkdir(parents=True, exist_ok=True)
        os.replace(manifest, project.manifest_path)
        stamp_tmp = scratch / FINGERPRINT_FILE
        stamp_tmp.write_text(fingerprint + "\n")
        os.replace(stamp_tmp, final_dir / FINGERPRINT_FILE)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return project.manifest_path


@functools.cache
def dbt_project() -> DbtProject:
    """The Flowmart dbt project (repo root), its manifest prepared: built once per process."""
    project = DbtProject(project_dir=config.PROJECT_DIR, target_path=DBT_TARGET)
    prepare_manifest(project)
    return project


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable())
