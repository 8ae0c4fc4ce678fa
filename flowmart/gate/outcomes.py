"""What a gate run found: one :class:`CheckOutcome` per expectation, merged over every chunk, and the
:class:`GateReport` of the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from expectations.shared import CRITICAL, WARNING

EXAMPLES = 3  # examples kept per failed expectation


@dataclass
class CheckOutcome:
    """One expectation of one suite, merged over every chunk of its frame."""

    suite: str
    table: str
    check: str
    ordinal: int
    expectation_type: str
    column: str | None
    severity: str
    message: str
    config: object = None  # the GX ExpectationConfiguration (for Data Docs)
    success: bool = True
    element_count: int = 0
    unexpected_count: int = 0
    missing_count: int = 0
    partial_unexpected: list = field(default_factory=list)
    refs: list[int] = field(default_factory=list)  # _row_ref of failing rows: all for quarantine, a few otherwise
    examples: list[dict] = field(default_factory=list)
    file_counts: dict[str, int] = field(default_factory=dict)  # failing rows per file (critical, quarantine)
    error: str | None = None

    @property
    def name(self) -> str:
        return f"{self.suite}.{self.check}"

    @property
    def files(self) -> list[str]:
        return list(self.file_counts) or sorted({e["file"] for e in self.examples if e.get("file")})

    def line(self) -> str:
        """One line: which expectation, how many rows, which file(s), the sentence, examples."""
        if self.error:
            return f"{self.severity}: {self.name}: could not be evaluated: {self.error}"
        unit = "file" if self.table == "landing_log" else "row"
        count = f"{self.unexpected_count:,} {unit}{'' if self.unexpected_count == 1 else 's'}"
        where = ""
        if self.file_counts and unit == "row":
            shown = [f"{f} ({n:,})" for f, n in list(self.file_counts.items())[:3]]
            more = len(self.file_counts) - len(shown)
            where = " in " + ", ".join(shown) + (f" and {more:,} more file(s)" if more else "")
        elif self.files and unit == "row":
            where = ", e.g. in " + ", ".join(self.files[:2])
        shown_examples = "; ".join(_example_text(e) for e in self.examples[:EXAMPLES])
        return f"{self.severity}: {self.name}: {count}{where}: {self.message}" + (
            f" (e.g. {shown_examples})" if shown_examples else ""
        )


def _example_text(example: dict) -> str:
    values = ", ".join(f"{k}={_short(v)}" for k, v in example.items() if k not in ("file", "position"))
    file = str(example.get("file") or "")
    where = f"row {example['position']} of {Path(file).name}" if example.get("position") else file
    return f"{where}: {values}" if values else where


def _short(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


@dataclass
class GateReport:
    run_id: str
    run_at: datetime
    outcomes: list[CheckOutcome]
    rows_checked: dict[str, int]
    quarantined: dict[str, int]
    applied: bool
    seconds: float = 0.0
    data_docs: Path | None = None
    scope: str = ""  # which files were validated (flowmart.gate.scope.Scope.summary)

    @property
    def failed(self) -> bool:
        return any(o.severity == CRITICAL and not o.success for o in self.outcomes)

    def failures(self, severity: str) -> list[CheckOutcome]:
        return [o for o in self.outcomes if o.severity == severity and not o.success]

    @property
    def rows_quarantined(self) -> int:
        return sum(self.quarantined.values())

    def summary(self) -> str:
        checked = sum(n for t, n in self.rows_checked.items() if t != "landing_log")
        if self.failed:
            head = f"gate FAILED: {len(self.failures(CRITICAL))} critical check(s) failed, nothing was moved"
        else:
            head = f"gate passed: {self.rows_quarantined:,} row(s) moved to raw.quarantine"
        return (
            f"{head}; {len(self.failures(WARNING))} warning(s); {checked:,} raw rows and "
            f"{self.rows_checked.get('landing_log', 0):,} files checked by {len(self.outcomes)} expectations "
            f"in {self.seconds:,.1f} s{f' (rows of {self.scope})' if self.scope else ''} (run {self.run_id})"
        )
