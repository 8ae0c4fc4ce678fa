"""A raw table's suite, declared: the columns it checks, how, and at which severity.

Most checks of a raw table follow the same pattern, so a suite module declares a :class:`TableSpec` and
gets its frame (one SELECT over the raw table, computed set-based in DuckDB) and its Great Expectations
suite from it, in this order:

* critical ``required_column_present``: a column has no value in the whole file (the export was
  restricted, or the file is of another shape);
* quarantine ``<column>_present`` per required value, then per timestamp ``<column>_parseable``,
  ``<column>_after_2000`` and ``<column>_not_in_future``, then ``<column>_not_before_creation`` where the
  table's rows must not predate their item, then the table's own quarantine checks, then the in-file
  duplicate check and ``values_not_huge``;
* the table's own warnings (unmapped statuses and types, unknown states), then the long-text warning.

What a table needs beyond the pattern (a joined item's creation time, keys for mapping checks, its own
checks) is declared in ``columns``, ``lookups``/``joins`` and ``checks``. A suite module then exports
``TABLE``, ``SUITE_NAME``, ``frame_sql`` and ``build_suite`` with :meth:`TableSpec.exports`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from expectations.shared import (
    CRITICAL,
    QUARANTINE,
    WARNING,
    GateSettings,
    Mappings,
    earliest_allowed,
    empty_in_file_by_file,
    expect,
    in_file_copies,
    latest_allowed,
    longest,
    not_before_creation,
    suite,
    text,
    timestamp_checks,
    utc,
)


@dataclass(frozen=True)
class Present:
    """Quarantine ``<column>_present``: the row has a value in ``column``; "<unit> has no <what>"."""

    column: str
    what: str
    condition: object = None  # a GX row condition: only these rows need the value


@dataclass(frozen=True)
class Timestamp:
    """A timestamp column: its text and its parsed UTC value in the frame, and the three row-level checks."""

    column: str
    label: str  # what it is, e.g. "creation time"
    source: str | None = None  # the SQL giving the text (default: the raw column of the same name)
    name: str = ""  # how messages call it (default: the column)


@dataclass(frozen=True)
class Unique:
    """Quarantine: the key repeats within one file (a snapshot); later copies are quarantined."""

    check: str
    key: tuple[str, ...]  # SQL over the raw table (unaliased)
    what: str  # e.g. "issue", "event id"


@dataclass(frozen=True)
class TableSpec:
    table: str
    suite_name: str
    unit: str  # what one row is, e.g. "issue", "change", "label event"
    alias: str = "t"
    required_in_file: tuple[str, ...] = ()
    required_message: str = ""  # default: "a required field (...) is missing from every <unit> of the file"
    present: tuple[Present, ...] = ()
    timestamps: tuple[Timestamp, ...] = ()
    item_created_at: str | None = None  # SQL of the row's item's creation time (earliest_allowed_at)
    not_before_creation: tuple[tuple[str, str], ...] = ()  # (timestamp column, what) checked against it
    unique: Unique | None = None
    identifiers: tuple[str, ...] = ()  # raw columns no value of which may be longer than the identifier limit
    identifiers_what: str = "a key, status, type or timestamp value"
    long_text: str | None = None  # a raw column (title, summary): a warning when longer than the text limit
    columns: dict[str, str] = field(default_factory=dict)  # more frame columns: name -> SQL (alias in scope)
    lookups: dict[str, str] = field(default_factory=dict)  # name -> SELECT the joins read (computed once)
    joins: str = ""  # joins after `from raw.<table> as <alias>`
    empty_required_columns: str | None = None  # SQL replacing the default whole-file check
    checks: Callable[[Mappings, GateSettings], list[Expectation]] | None = None
    # a condition (SQL over the alias and the joins) under which a row of an already validated file is
    # judged again when newer files arrive: a cross-file check (flowmart/gate/scope.py)
    revalidate_when: str | None = None

    # -- the frame ---------------------------------------------------------------------------------

    def _col(self, name: str) -> str:
        return f"{self.alias}.{name}"

    def frame_parts(self, settings: GateSettings, scope: str | None = None) -> tuple[dict[str, str], str]:
        """The frame in two parts: ``lookups`` (name -> SELECT: what needs other rows - the items' creation
        times, the in-file copies, the columns empty in a whole file - each computed once, set-based) and
        the row SELECT, one row per raw row, reading them by name and carrying ``_row_ref``, the raw row's
        rowid. The gate keeps the lookups as temp tables and reads the rows chunk by chunk, a rowid range
        at a time (pushed down to the scan), so a big raw table is never copied whole.

        ``scope``: a relation of ``file_hash``es; the frame then holds the rows of those files only (and
        the rows ``revalidate_when`` brings back), and the per-file lookups read only those files."""
        a = self.alias
        raw = f"raw.{self.table}"
        in_scope = f"_file_hash in (select file_hash from {scope})" if scope else ""
        per_file = f"(select * from {raw} where {in_scope})" if scope else raw
        lookups = dict(self.lookups)
        selected: dict[str, str] = {
            "_row_ref": f"{a}.rowid",
            "_file_hash": f"{a}._file_hash",
            "_record_position": f"{a}._record_position",
        }
        plain = [*self.required_in_file, *(p.column for p in self.present)]
        for column in plain:
            if column not in self.columns and not any(t.column == column for t in self.timestamps):
                selected[column] = text(self._col(column))
        for ts in self.timestamps:
            source = ts.source or text(self._col(ts.column))
            selected[ts.column] = source
            selected[f"{ts.column}_utc"] = utc(source)
        if self.timestamps:
            selected["latest_allowed_at"] = latest_allowed(settings, f"{a}._landed_at")
        if self.item_created_at:
            selected["earliest_allowed_at"] = earliest_allowed(settings, self.item_created_at)
        selected.update(self.columns)
        joins = [self.joins] if self.joins else []
        if self.unique:
            selected["copy_number"] = "coalesce(copies.copy_number, 1)"
            lookups["copies"] = f"select * from {in_file_copies(per_file, list(self.unique.key))} as copies"
            joins.append(
                "left join copies\n"
                f"        on {a}._file_hash = copies._file_hash and {a}._record_position = copies._record_position"
            )
        if self.identifiers:
            selected["longest_identifier"] = longest([self._col(c) for c in self.identifiers])
        if self.long_text:
            selected[f"{self.long_text}_length"] = f"length({self._col(self.long_text)})"
        if self.empty_required_columns:
            selected["empty_required_columns"] = self.empty_required_columns
        elif self.required_in_file:
            selected["empty_required_columns"] = "files.empty_required_columns"
            lookups["files"] = f"select * from {empty_in_file_by_file(per_file, list(self.required_in_file))} as files"
            joins.append(f"left join files\n        on {a}._file_hash = files._file_hash")
        columns = ",\n        ".join(f"{sql} as {name}" for name, sql in selected.items())
        where = ""
        if scope:
            where = f"    where {a}.{in_scope}" + (
                f"\n        or ({self.revalidate_when})" if self.revalidate_when else ""
            )
        rows = (
            f"    select\n        {columns}\n    from {raw} as {a}\n    "
            + "\n    ".join(joins)
            + "\n"
            + (where + "\n" if where else "")
        )
        return lookups, rows

    def frame_sql(self, settings: GateSettings, scope: str | None = None) -> str:
        """The frame as one SELECT (the lookups as CTEs): what :meth:`frame_parts` gives, in one piece."""
        lookups, rows = self.frame_parts(settings, scope)
        if not lookups:
            return rows
        ctes = ",\n\n    ".join(f"{name} as (\n        {sql}\n    )" for name, sql in lookups.items())
        return f"    with\n\n    {ctes}\n\n{rows}"

    # -- the suite ---------------------------------------------------------------------------------

    def build_suite(self, mappings: Mappings, settings: GateSettings) -> gx.ExpectationSuite:
        own = self.checks(mappings, settings) if self.checks else []
        own_quarantine = [e for e in own if e.meta["flowmart_severity"] != WARNING]
        own_warnings = [e for e in own if e.meta["flowmart_severity"] == WARNING]
        expectations: list[Expectation] = []
        if self.required_in_file or self.empty_required_columns:
            message = self.required_message or (
                f"a required field ({', '.join(self.required_in_file)}) is missing from every {self.unit} of the file"
            )
            expectations.append(
                expect(
                    gxe.ExpectColumnValuesToBeNull,
                    CRITICAL,
                    "required_column_present",
                    message,
                    column="empty_required_columns",
                )
            )
        for p in self.present:
            expectations.append(
                expect(
                    gxe.ExpectColumnValuesToNotBeNull,
                    QUARANTINE,
                    f"{p.column}_present",
                    f"{self.unit} has no {p.what}",
                    column=p.column,
                    **({} if p.condition is None else {"row_condition": p.condition}),
                )
            )
        for ts in self.timestamps:
            expectations += timestamp_checks(ts.column, ts.label, settings, name=ts.name or ts.column)
        for column, what in self.not_before_creation:
            expectations.append(not_before_creation(column, what, settings))
        expectations += own_quarantine
        if self.unique:
            expectations.append(
                expect(
                    gxe.ExpectColumnValuesToBeBetween,
                    QUARANTINE,
                    self.unique.check,
                    f"{self.unique.what} repeated within the same file (later copies are quarantined)",
                    column="copy_number",
                    min_value=1,
                    max_value=1,
                )
            )
        if self.identifiers:
            limit = settings.max_identifier_length
            expectations.append(
                expect(
                    gxe.ExpectColumnValuesToBeBetween,
                    QUARANTINE,
                    "values_not_huge",
                    f"{self.identifiers_what} is longer than {limit} characters",
                    column="longest_identifier",
                    max_value=limit,
                )
            )
        expectations += own_warnings
        if self.long_text:
            expectations.append(
                expect(
                    gxe.ExpectColumnValuesToBeBetween,
                    WARNING,
                    f"{self.long_text}_not_huge",
                    f"{self.long_text} longer than {settings.max_text_length:,} characters",
                    column=f"{self.long_text}_length",
                    max_value=settings.max_text_length,
                )
            )
        return suite(self.suite_name, expectations)

    def exports(self) -> tuple[str, str, Callable[[GateSettings], str], Callable]:
        """``TABLE, SUITE_NAME, frame_sql, build_suite`` of a suite module."""
        return self.table, self.suite_name, self.frame_sql, self.build_suite
