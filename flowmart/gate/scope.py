"""Which landed files a gate run validates: those landed since the last passed run, or all of them.

A passed, applied run records the files it validated in ``raw.gate_files`` with the *fingerprint* of its
checks (every suite's frame SQL and expectations, the seeds' value sets they carry, the gate settings).
The next run validates the landed files not recorded under the same fingerprint: a daily refresh checks
the day's files only, while a changed check, seed or tolerance - or ``--full`` - validates every file again.
A failed or dry run records nothing, so its files stay in scope. Older results stay in
``raw.validation_results`` (docs/adr/0066-the-gate-validates-new-files.md).

Rows of older files are judged again only where a suite declares a cross-file check
(``TableSpec.revalidate_when``: a Jira key now held by a newer issue id).
"""

from __future__ import annotations

import hashlib
import inspect
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import duckdb

from expectations import shared, spec

SCOPE_TABLE = "_gate_scope"


def checks_fingerprint(settings, modules: list[ModuleType], suites: list, seeds_dir: Path) -> str:
    """A digest of what decides a row's verdict: the gate settings, the suite modules' code and frame SQL,
    every expectation's configuration, and the seed files. The value sets the gate derives from the seeds
    *and the landed data* (the observed statuses a seed row covers) are left out: they change with every
    landing, while what decides them - the seeds - is in the digest."""
    digest = hashlib.sha256(repr(settings).encode())
    for module in [*modules, shared, spec]:
        digest.update(inspect.getsource(module).encode())
    for module in modules:
        if hasattr(module, "SPEC"):
            digest.update(module.frame_sql(settings).encode())
    for suite in suites:
        configs = []
        for expectation in suite.expectations:
            config = expectation.configuration.to_json_dict()
            config["kwargs"] = {k: v for k, v in config["kwargs"].items() if k != "value_set"}
            configs.append(config)
        digest.update(json.dumps([suite.name, configs], sort_keys=True, default=str).encode())
    for seed in sorted(Path(seeds_dir).glob("*.csv")):
        digest.update(seed.name.encode() + seed.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class Scope:
    fingerprint: str
    full: bool  # every landed file is validated
    files: int  # landed files validated by this run
    validated_before: int  # landed files a passed run validated with the same checks
    reason: str  # why every file is validated ('' when only new ones are)

    @classmethod
    def create(cls, con: duckdb.DuckDBPyConnection, fingerprint: str, full: bool = False) -> Scope:
        """Fill temp table ``_gate_scope(file_hash)`` with the files this run validates."""
        landed = "select distinct file_hash from raw.landing_log where status = 'landed' and file_hash is not null"
        before = con.execute(
            f"select count(*) from ({landed}) as l semi join raw.gate_files as g "
            "on g.file_hash = l.file_hash and g.fingerprint = ?",
            [fingerprint],
        ).fetchone()[0]
        known = con.execute("select count(*) from raw.gate_files where fingerprint = ?", [fingerprint]).fetchone()[0]
        if full:
            reason = "--full"
        elif not known:
            any_before = con.execute("select count(*) from raw.gate_files").fetchone()[0]
            reason = "the checks, seeds or settings changed since the last passed run" if any_before else ""
            full = True
        else:
            reason = ""
        if full:
            con.execute(f"create or replace temp table {SCOPE_TABLE} as {landed}")
            before = 0
        else:
            con.execute(
                f"create or replace temp table {SCOPE_TABLE} as {landed} "
                "except select file_hash from raw.gate_files where fingerprint = ?",
                [fingerprint],
            )
        files = con.execute(f"select count(*) from {SCOPE_TABLE}").fetchone()[0]
        return cls(fingerprint, full, files, before, reason)

    def frame_parts(self, module: ModuleType, settings) -> tuple[dict[str, str], str] | None:
        """A declared suite's streamed frame (``TableSpec.frame_parts``) over the files in scope, narrowed
        by the suite itself; None for an undeclared suite (its frame is materialised: :meth:`frame_sql`)."""
        spec = getattr(module, "SPEC", None)
        if spec is None:
            return None
        return spec.frame_parts(settings, scope=None if self.full else SCOPE_TABLE)

    def frame_sql(self, module: ModuleType, settings) -> str:
        """The suite's frame over the rows of the files in scope (plus the older rows a cross-file check
        judges again); the whole frame when every file is in scope."""
        if self.full:
            return module.frame_sql(settings)
        spec = getattr(module, "SPEC", None)
        if spec is not None:  # a declared suite narrows its own scans to the files in scope
            return spec.frame_sql(settings, scope=SCOPE_TABLE)
        return (
            f"select * from ({module.frame_sql(settings)}) as frame\n"
            f"where frame._file_hash in (select file_hash from {SCOPE_TABLE})"
        )

    def record(self, con: duckdb.DuckDBPyConnection, run_id: str) -> None:
        """The run passed and was applied: its files count as validated with these checks (inside the
        caller's transaction). Records under other fingerprints are dropped: they no longer count."""
        con.execute(
            f"delete from raw.gate_files where fingerprint <> ? or file_hash in (select file_hash from {SCOPE_TABLE})",
            [self.fingerprint],
        )
        con.execute(
            f"insert into raw.gate_files select file_hash, ?, ?, now()::timestamptz from {SCOPE_TABLE}",
            [self.fingerprint, run_id],
        )

    def describe(self) -> str:
        if self.full:
            why = f" ({self.reason})" if self.reason else ""
            return f"validating every landed file: {self.files:,}{why}"
        return (
            f"validating the {self.files:,} file(s) landed since the last passed run "
            f"({self.validated_before:,} validated before with the same checks)"
        )

    def summary(self) -> str:
        if self.full:
            return f"all {self.files:,} landed files"
        return f"{self.files:,} new file(s), {self.validated_before:,} validated before"
