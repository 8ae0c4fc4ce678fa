"""DuckDB's memory limit: set by the user, else grown with the warehouse within half the machine (docs/adr/0079)."""

from __future__ import annotations

import os

import pytest

from flowmart import settings

GB = 1000**3


@pytest.mark.parametrize(
    ("warehouse_bytes", "machine_bytes", "expected"),
    [
        # a demo or 1M warehouse (under 2 GB) keeps the least default: max(3, ceil(1.8)) = 3
        (1_800_000_000, 25_276_194_816, "3GB"),
        # no warehouse yet: max(3, 0) = 3
        (0, 25_276_194_816, "3GB"),
        # ten million items landed, 12.0 GB: ceil(12.0) = 12, half of 25.28 GB = 12.64 -> 12, min(12, 12) = 12
        (12_000_000_000, 25_276_194_816, "12GB"),
        # the same built, 18.1 GB: ceil(18.1) = 19, capped at half the machine, 12
        (18_100_000_000, 25_276_194_816, "12GB"),
        # 5.2 GB rounds up: ceil(5.2) = 6, half of 25.28 GB = 12 -> 6
        (5_200_000_000, 25_276_194_816, "6GB"),
        # a 4 GB container: half is 2 GB, below the least default, and half wins: min(3, 2) = 2
        (100_000_000, 4 * GB, "2GB"),
        # a 1.5 GB container: half is 0.75 GB, rounded down 0, at least 1
        (100_000_000, 1_500_000_000, "1GB"),
        # the machine's memory unknown (e.g. Windows): the least default
        (12_000_000_000, None, "3GB"),
    ],
)
def test_the_default_memory_limit_grows_with_the_warehouse_within_half_the_machine(
    warehouse_bytes, machine_bytes, expected
):
    assert settings.default_memory_limit(warehouse_bytes, machine_bytes) == expected


def test_the_memory_limit_of_the_environment_wins_and_a_malformed_one_is_ignored(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    with open(db, "wb") as file:  # a sparse 7.5 GB file: ceil(7.5) = 8 GB wanted
        file.truncate(7_500_000_000)
    monkeypatch.setattr(settings, "machine_memory", lambda: 24 * GB)  # half: 12
    monkeypatch.delenv("FLOWMART_MEMORY_LIMIT", raising=False)
    assert settings.memory_limit(db) == "8GB"
    assert settings.memory_limit(tmp_path / "absent.duckdb") == "3GB"
    assert settings.memory_limit() == "3GB"
    monkeypatch.setenv("FLOWMART_MEMORY_LIMIT", "20GB")
    assert settings.memory_limit(db) == "20GB"
    monkeypatch.setenv("FLOWMART_MEMORY_LIMIT", "a lot")
    assert settings.memory_limit(db) == "8GB"


def test_the_machine_memory_is_the_physical_memory_or_a_smaller_cgroup_limit():
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    found = settings.machine_memory()
    assert found is not None and 0 < found <= physical


def test_the_gate_keeps_the_least_default_unless_the_environment_says_otherwise(monkeypatch):
    # at 10M the gate ran as fast under 3GB as under 12GB (382 s, peak 5.6 GB against 440 s, 12.0 GB)
    monkeypatch.delenv("FLOWMART_MEMORY_LIMIT", raising=False)
    monkeypatch.setattr(settings, "machine_memory", lambda: 24 * GB)  # half: 12, min(3, 12) = 3
    assert settings.gate_memory_limit() == "3GB"
    monkeypatch.setattr(settings, "machine_memory", lambda: 4 * GB)  # half: 2, min(3, 2) = 2
    assert settings.gate_memory_limit() == "2GB"
    monkeypatch.setenv("FLOWMART_MEMORY_LIMIT", "6GB")
    assert settings.gate_memory_limit() == "6GB"
