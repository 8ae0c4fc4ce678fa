"""The input quality gate: Great Expectations on the raw tables, quarantine instead of loss.

``run`` (:func:`run_gate`), ``validation`` (frames, GX, chunk results merged), ``outcomes`` (what a run
found), ``mappings`` (the seeds' value sets), ``store`` (raw.quarantine, raw.validation_results),
``data_docs`` (the GX site). The suites themselves live in ``expectations/``, one module per raw table.
Importing this package is cheap: Great Expectations loads only when the gate runs.
"""

from __future__ import annotations

__all__ = ["GateReport", "quarantine_files", "run_gate"]


def __getattr__(name: str):
    if name == "GateReport":
        from flowmart.gate.outcomes import GateReport

        return GateReport
    if name == "quarantine_files":
        from flowmart.gate.store import quarantine_files

        return quarantine_files
    if name == "run_gate":
        from flowmart.gate.run import run_gate

        return run_gate
    raise AttributeError(name)
