"""The input quality gate (Great Expectations on the raw tables, quarantine instead of loss).

``gate`` (run_gate, quarantine_files), ``store`` (raw.quarantine, raw.validation_results), ``cli``
(`flowmart check`). Importing the package is cheap: Great Expectations loads only when the gate runs.
"""

from __future__ import annotations

__all__ = ["GateReport", "quarantine_files", "run_gate"]


def __getattr__(name: str):
    if name in __all__:
        from orchestration.quality import gate

        return getattr(gate, name)
    raise AttributeError(name)
