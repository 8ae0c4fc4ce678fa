"""The landing-folder sensor: each new or changed file triggers one refresh run, and only once."""

from __future__ import annotations

import json
import os
import time

import dagster as dg
import pytest

from orchestration.sensors import landing_folder_sensor, new_or_changed, scan


def settled(path, age_seconds=60):
    """Backdate a file's modification time: the sensor ignores files written in the last few seconds."""
    past = time.time() - age_seconds
    os.utime(path, (past, past))
    return path


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def tick(instance, cursor):
    context = dg.build_sensor_context(instance=instance, cursor=cursor)
    result = landing_folder_sensor(context)
    return list(result.run_requests or []), result.cursor


def test_each_file_triggers_once(tmp_path, monkeypatch, instance):
    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("FLOWMART_LANDING_DIR", str(landing))

    requests, cursor = tick(instance, None)
    assert requests == []  # empty folder

    first = landing / "search_001.json"
    first.write_text('{"issues": []}')
    settled(first)
    requests, cursor = tick(instance, cursor)
    assert len(requests) == 1
    assert requests[0].tags["flowmart/files"] == "1"
    assert str(first) in json.loads(cursor)

    requests, cursor = tick(instance, cursor)
    assert requests == []  # same file, same size and mtime: no second run

    second = landing / "csv" / "work_items.csv"
    second.parent.mkdir()
    second.write_text("source,instance,item_key\n")
    settled(second)
    (landing / "notes.txt").write_text("not an export")  # ignored: not .json/.csv
    (landing / ".hidden.json").write_text("{}")  # ignored: hidden
    requests, cursor = tick(instance, cursor)
    assert len(requests) == 1 and requests[0].tags["flowmart/files"] == "1"
    assert tick(instance, cursor)[0] == []

    first.write_text('{"issues": [], "total": 0}')  # changed: triggers again, once
    settled(first, age_seconds=30)
    requests, cursor = tick(instance, cursor)
    assert len(requests) == 1
    assert tick(instance, cursor)[0] == []


def test_a_file_still_being_written_waits_for_the_next_tick(tmp_path):
    path = tmp_path / "search_002.json"
    path.write_text("{")  # just written: mtime is now
    assert scan(tmp_path, now=time.time()) == {}
    state = scan(tmp_path, now=time.time() + 60)
    assert list(state) == [str(path.resolve())]
    assert new_or_changed(state, {}) == [str(path.resolve())]
    assert new_or_changed(state, state) == []
