"""What every raw-table suite shares: severities, tolerances, the mapping value sets, SQL helpers.

A suite module (``expectations/<source>__<table>.py``) defines

* ``TABLE``: the raw table it guards (``raw.<TABLE>``);
* ``frame_sql(settings)``: one SELECT over ``raw.<TABLE>`` returning one row per raw row with
  ``_file_hash`` and ``_record_position`` (the row's identity) plus the columns the expectations
  read. Anything that needs other rows (duplicates within a file, the item's creation time, a column
  that is empty in the whole file) is computed here, set-based in DuckDB, as a plain per-row column;
* ``build_suite(mappings, settings)``: the Great Expectations suite validating that frame.

Every expectation carries its Flowmart severity in ``meta["flowmart_severity"]`` (see
:data:`SEVERITIES`), a short check name in ``meta["check"]`` and the user-facing sentence in
``meta["message"]``; GX's own ``severity`` field is set to match (critical / warning / info).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import great_expectations as gx
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.metadata_types import FailureSeverity

CRITICAL = "critical"  # the build stops before dbt runs; nothing is moved
QUARANTINE = "quarantine"  # the offending rows move to raw.quarantine; the rest proceeds
WARNING = "warning"  # reported only

SEVERITIES = (CRITICAL, QUARANTINE, WARNING)

# GX's severity says how much a failure matters to the build: critical stops it, warning lets it go on
# without the failing rows, info is reported only.
GX_SEVERITY = {
    CRITICAL: FailureSeverity.CRITICAL,
    QUARANTINE: FailureSeverity.WARNING,
    WARNING: FailureSeverity.INFO,
}

EARLIEST_VALID = datetime(2000, 1, 1)


@dataclass(frozen=True)
class GateSettings:
    """Tolerances of the gate (``flowmart check --help`` shows how to change them)."""

    future_tolerance_hours: float = 24.0  # a timestamp may be this far after its file's landing time
    before_creation_tolerance_minutes: float = 60.0  # a change may be this far before its item's creation
    max_identifier_length: int = 255  # keys, statuses, item types, timestamps
    max_text_length: int = 65_535  # titles / summaries (longer: warning)


@dataclass(frozen=True)
class Mappings:
    """Value sets from the mapping seeds, normalised like the intermediate models match them
    (``lower(trim(...))``, per source; a ``*`` source row counts for every known source)."""

    status_keys: frozenset[str] = field(default_factory=frozenset)  # 'source|status'
    type_keys: frozenset[str] = field(default_factory=frozenset)  # 'source|item type'
    known_sources: frozenset[str] = field(default_factory=frozenset)


def expect(
    expectation_class: type[Expectation], severity: str, check: str, message: str, **kwargs
) -> Expectation:
    """An expectation tagged with its Flowmart severity, check name and message."""
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    return expectation_class(
        severity=GX_SEVERITY[severity],
        meta={"flowmart_severity": severity, "check": check, "message": message},
        description=f"[{severity}] {message}",
        **kwargs,
    )


def suite(name: str, expectations: list[Expectation]) -> gx.ExpectationSuite:
    from great_expectations.data_context.data_context.context_factory import project_manager
    from great_expectations.exceptions import DataContextRequiredError

    try:
        project_manager.get_current_project()
    except DataContextRequiredError:  # built outside the gate (tests, notebooks): GX wants some context
        gx.get_context(mode="ephemeral")
    built = gx.ExpectationSuite(name=name, meta={"flowmart": "raw input quality gate"})
    for expectation in expectations:
        built.add_expectation(expectation)
    return built


# ---------------------------------------------------------------------------------------------
# SQL helpers (DuckDB): the same parsing as staging's to_utc_timestamp macro


def utc(column: str) -> str:
    """Tracker text -> naive UTC timestamp, null when unparseable (parsed as staging parses it).

    Clamped to 1900..2200 so that pandas (nanosecond timestamps, 1677..2262) can hold every value;
    a clamped value still fails the "after 2000" or "not in the future" check, and the examples
    show the raw text."""
    parsed = f"timezone('UTC', try_cast({column} as timestamptz))"
    # greatest()/least() skip nulls, so an unparseable value must stay null explicitly
    return (
        f"case when {parsed} is not null "
        f"then least(greatest({parsed}, timestamp '1900-01-01'), timestamp '2200-01-01') end"
    )


def text(column: str) -> str:
    """Blank text counts as missing."""
    return f"nullif(trim({column}), '')"


def key(source_sql: str, value_sql: str) -> str:
    """'source|value', lower case and trimmed, null when the value is missing."""
    return f"lower(trim({source_sql})) || '|' || lower(trim({text(value_sql)}))"


def latest_allowed(settings: GateSettings, landed_at: str = "_landed_at") -> str:
    return f"timezone('UTC', {landed_at}) + to_microseconds(cast({int(settings.future_tolerance_hours * 3600e6)} as bigint))"


def earliest_allowed(settings: GateSettings, created_at: str) -> str:
    micros = int(settings.before_creation_tolerance_minutes * 60e6)
    return f"{created_at} - to_microseconds(cast({micros} as bigint))"


def longest(columns: list[str]) -> str:
    """Length of the longest of ``columns`` (null-safe)."""
    return "greatest(" + ", ".join(f"coalesce(length({c}), 0)" for c in columns) + ")"


def empty_in_file(columns: list[str], partition: str = "_file_hash") -> str:
    """Comma-separated names of ``columns`` that have no value in the row's whole file, else null."""
    parts = ", ".join(
        f"case when count({text(c)}) over (partition by {partition}) = 0 then '{c.split('.')[-1]}' end"
        for c in columns
    )
    return f"nullif(concat_ws(', ', {parts}), '')"
