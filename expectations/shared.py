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
import great_expectations.expectations as gxe
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
    # Jira statuses as the start of their status_mappings row, 'jira,<instance>,<id>,<name>' (jira_status_row):
    # those a row covers (by id or name) or that have no category either (reported as unknown instead) ...
    jira_status_rows_mapped: frozenset[str] = field(default_factory=frozenset)
    # ... and those a row covers or the instance's status list (or an issue) gives a category
    jira_status_rows_known: frozenset[str] = field(default_factory=frozenset)
    type_keys: frozenset[str] = field(default_factory=frozenset)  # 'source|item type'
    known_sources: frozenset[str] = field(default_factory=frozenset)
    # seeds/label_states.csv: 'source|label', and the scopes its labels use ('gitlab|workflow::',
    # 'github|status:'): a label in one of those scopes but not in the seed looks like a state label
    # nobody mapped (GitHub, GitLab)
    label_keys: frozenset[str] = field(default_factory=frozenset)
    label_scopes: frozenset[str] = field(default_factory=frozenset)
    # seeds/value_streams.csv: the value_stream_id values, and each stream's north-star metric as
    # 'stream|metric' (lower case, trimmed) - the metric names business_results.csv may use for it
    value_streams: frozenset[str] = field(default_factory=frozenset)
    north_star_keys: frozenset[str] = field(default_factory=frozenset)


def expect(expectation_class: type[Expectation], severity: str, check: str, message: str, **kwargs) -> Expectation:
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


def jira_status_row(instance_sql: str, id_sql: str, name_sql: str) -> str:
    """A Jira status as the start of its seeds/status_mappings.csv row, 'jira,<instance>,<id>,<name>', so a
    warning shows the row to add (then value_stream_id, flow_state, stage); null without a name."""
    return (
        f"'jira,' || coalesce({text(instance_sql)}, '') || ',' || coalesce({text(id_sql)}, '') || ','"
        f" || {text(name_sql)}"
    )


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


def label_scope(label: str) -> str | None:
    """The scope of a label: 'workflow::' of 'workflow::in dev' (GitLab scoped labels, up to the last
    '::'), 'status:' of 'status: in progress'; None for a label without one. Same rule as :func:`scope`."""
    label = label.strip().lower()
    if "::" in label:
        return label.rsplit("::", 1)[0].strip() + "::"
    if ":" in label:
        return label.split(":", 1)[0].strip() + ":"
    return None


def scope(source_sql: str, label_sql: str) -> str:
    """SQL: 'source|scope' of a label (see :func:`label_scope`), null when it has none."""
    lowered = f"lower(trim({label_sql}))"
    return (
        f"case when contains({lowered}, '::') then {source_sql} || '|' || trim(regexp_extract({lowered}, '^(.*)::', 1)) || '::' "
        f"when contains({lowered}, ':') then {source_sql} || '|' || trim(split_part({lowered}, ':', 1)) || ':' end"
    )


def timestamp_checks(
    column: str,
    label: str,
    settings: GateSettings,
    condition=None,
    name: str | None = None,
) -> list[Expectation]:
    """The three row-level checks of a timestamp column: parses (when given), not before 2000, not later
    than the file's landing time plus the tolerance. The frame holds ``<column>`` (the trimmed text, null
    when blank) and ``<column>_utc`` (parsed with :func:`utc`) and ``latest_allowed_at``. Messages call the
    column ``name`` (default: the column). ``condition`` restricts every check to some rows (a GX row
    condition)."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    name = name or column
    given = Column(column).is_not_null()
    only = {} if condition is None else {"row_condition": condition}
    return [
        expect(
            gxe.ExpectColumnValuesToNotBeNull,
            QUARANTINE,
            f"{column}_parseable",
            f"{name} ({label}) is not a timestamp",
            column=f"{column}_utc",
            row_condition=given if condition is None else condition & given,
        ),
        expect(
            gxe.ExpectColumnValuesToBeBetween,
            QUARANTINE,
            f"{column}_after_2000",
            f"{name} is before 2000",
            column=f"{column}_utc",
            min_value=EARLIEST_VALID,
            **only,
        ),
        expect(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB,
            QUARANTINE,
            f"{column}_not_in_future",
            f"{name} is later than the file's landing time plus {settings.future_tolerance_hours:g} h",
            column_A="latest_allowed_at",
            column_B=f"{column}_utc",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            **only,
        ),
    ]


def not_before_creation(
    column: str, what: str, settings: GateSettings, condition=None, check: str | None = None, item: str = "item"
) -> Expectation:
    """Row level: ``<column>_utc`` is not earlier than ``earliest_allowed_at`` (the item's creation minus
    the tolerance; null when the item was not landed: then the check does not apply). The check is named
    ``<column>_not_before_creation`` unless ``check`` names it."""
    import great_expectations.expectations as gxe

    return expect(
        gxe.ExpectColumnPairValuesAToBeGreaterThanB,
        QUARANTINE,
        check or f"{column}_not_before_creation",
        f"{what} is earlier than its {item}'s creation minus {settings.before_creation_tolerance_minutes:g} min",
        column_A=f"{column}_utc",
        column_B="earliest_allowed_at",
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        **({} if condition is None else {"row_condition": condition}),
    )


def in_file_copies(relation: str, partition: list[str], order: str = "_record_position") -> str:
    """SQL subquery over ``relation`` (a raw table or CTE, unaliased): (_file_hash, _record_position,
    copy_number) for the rows whose key - the ``partition`` expressions, every part present - repeats within
    their file: 1 for the first copy, 2, 3 ... for the later ones. Left-join it on (_file_hash,
    _record_position) and take ``coalesce(copy_number, 1)``: a row with a missing key part is no copy (a
    missing key is its own check). Only the repeated keys are windowed (a hash aggregate on one 64-bit
    hash of the key finds them; a collision only windows more rows): a window over every row with all its
    columns would be the slowest part of the gate on big tables."""
    keys = ", ".join(f"{part} as _key_{i}" for i, part in enumerate(partition))
    names = ", ".join(f"_key_{i}" for i in range(len(partition)))
    present = " and ".join(f"{part} is not null" for part in partition)
    key_hash = f"hash(_file_hash, {', '.join(partition)})"
    # the relation is scanned twice - once for the hashes alone, then for the few rows whose hash repeats -
    # rather than once into a CTE of every row's keys, which DuckDB would materialise (read twice): at 11.9M
    # changelog items the copy of every key cost more than the second scan
    return f"""(
        with repeated as (
            select {key_hash} as _key_hash
            from {relation}
            where {present}
            group by all
            having count(*) > 1
        ),
        keyed as (
            select _file_hash, _record_position, {order} as _copy_order, {keys}
            from {relation}
            where {present} and {key_hash} in (select _key_hash from repeated)
        )
        select
            _file_hash,
            _record_position,
            row_number() over (partition by _file_hash, {names} order by _copy_order) as copy_number
        from keyed
    )"""


def empty_in_file_by_file(relation: str, columns: list[str]) -> str:
    """SQL subquery over ``relation``: (_file_hash, empty_required_columns) - the comma-separated names of
    ``columns`` without any value in the whole file, else null (one group by; left-join it on _file_hash)."""
    parts = ", ".join(f"case when count({text(c)}) = 0 then '{c.split('.')[-1]}' end" for c in columns)
    return f"(select _file_hash, nullif(concat_ws(', ', {parts}), '') as empty_required_columns from {relation} group by _file_hash)"


def status_checks(column: str, check: str, mappings: Mappings) -> list[Expectation]:
    """The two warnings about a Jira status (``column`` holds its jira_status_row): no mapping row (flow state
    from the Jira status category), and no mapping row nor category (flow state unknown). Each shows the
    start of the status_mappings row to add."""
    return [
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            f"{check}_mapped",
            "no seeds/status_mappings.csv row covers this status (by id or name): its flow state comes from its "
            "Jira status category; to decide it, add the row shown (source,instance,status_id,status) with "
            "value_stream_id,flow_state,stage",
            column=column,
            value_set=sorted(mappings.jira_status_rows_mapped or {"(none)"}),
        ),
        expect(
            gxe.ExpectColumnValuesToBeInSet,
            WARNING,
            f"{check}_known",
            "no seeds/status_mappings.csv row covers this status and the site's status list does not have it "
            "(deleted?): its flow state is unknown, neither started nor finished; add the row shown "
            "(source,instance,status_id,status) with value_stream_id,flow_state,stage",
            column=column,
            value_set=sorted(mappings.jira_status_rows_known or {"(none)"}),
        ),
    ]
