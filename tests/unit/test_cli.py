"""The flowmart command as a user runs it: --help everywhere, one-line errors, exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flowmart.cli import build_parser
from tests import jira_payloads as jp


def flowmart(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowmart.cli", *args], capture_output=True, text=True)


def subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_every_command_has_help():
    assert flowmart("--help").returncode == 0
    names = subcommands()
    assert {"land", "build", "generate", "demo"} <= set(names)
    for name in names:
        result = flowmart(name, "--help")
        assert result.returncode == 0, name
        assert result.stdout.startswith(f"usage: flowmart {name}"), name


def test_bad_file_gives_one_line_error_and_exit_1_while_good_file_lands(tmp_path):
    db = tmp_path / "w.duckdb"
    good = jp.write(
        tmp_path / "good.json",
        jp.search_page([jp.issue("1", "A-1", "2024-01-01T00:00:00.000+0000", "2024-01-01T00:00:00.000+0000")]),
    )
    bad = tmp_path / "bad.json"
    bad.write_text('{"issues": [')
    result = flowmart("land", "--db", str(db), str(good), str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    # the file is 13 bytes long and ends inside the issues array
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {bad.resolve()}: Malformed JSON, at byte 13 ")
    assert errors[0].endswith("unexpected end of data.")
    assert f"{good.resolve()}: landed 1 rows as jira_search" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["land", "/no/such/export.json"], "error: /no/such/export.json: no such file or folder"),
        (["generate", "--out", "x", "--items", "0"], "error: --items 0: must be at least 1"),
    ],
)
def test_usage_errors_exit_2_without_traceback(tmp_path, args, message):
    result = flowmart(*args)
    assert result.returncode == 2
    assert result.stderr.strip() == message


def test_locked_warehouse_is_a_one_line_error(tmp_path):
    import duckdb

    db = tmp_path / "w.duckdb"
    page = jp.write(tmp_path / "p.json", jp.search_page([]))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        result = flowmart("land", "--db", str(db), str(page))
    finally:
        holder.kill()
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {db}: ") and "lock" in line.lower()
    del duckdb


def test_flowmart_dbt_merges_the_users_vars_with_flowmarts():
    from flowmart.cli.dbt import split_vars

    rest, values = split_vars(
        [
            "build",
            "--vars",
            "{github_assignment_starts_work: false}",
            "--select",
            "x",
            "--vars={as_of: '2026-06-30 23:59:59'}",
        ]
    )
    assert rest == ["build", "--select", "x"]
    assert values == {"github_assignment_starts_work": False, "as_of": "2026-06-30 23:59:59"}
    result = flowmart("dbt", "ls", "--vars", "[1, 2]")
    assert result.returncode == 2 and result.stderr.strip().startswith("error: --vars [1, 2]: expected a mapping")


def test_a_landing_names_the_files_it_does_not_read(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    jp.write(
        export / "page.json",
        jp.search_page([jp.issue("1", "A-1", "2024-01-01T00:00:00.000+0000", "2024-01-01T00:00:00.000+0000")]),
    )
    (export / "notes.txt").write_text("not an export")
    (export / "README.md").write_text("# exported on Monday")
    result = flowmart("land", "--db", str(tmp_path / "w.duckdb"), str(export))
    assert result.returncode == 0, result.stderr
    # two files that are neither .json nor .csv: counted and named, sorted
    [line] = [line for line in result.stderr.splitlines() if "ignored" in line]
    assert line == (
        f"land: ignored 2 file(s) that are not .json, .json.gz or .csv: {(export / 'README.md').resolve()}, "
        f"{(export / 'notes.txt').resolve()}"
    )


def test_an_unrecognised_csv_names_every_csv_format_flowmart_reads(tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    result = flowmart("land", "--db", str(tmp_path / "w.duckdb"), str(odd))
    assert result.returncode == 1
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "unrecognised CSV header" in line
    assert "work_items.csv or status_changes.csv" in line and "Linear CSV export" in line


def test_flowmart_sql_reads_the_published_marts_only(tmp_path):
    # nothing published yet: one line saying so, not a new empty file
    result = flowmart("sql", "--db", str(tmp_path / "w.duckdb"), "select 1")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {tmp_path / 'published' / 'current' / 'flowmart.duckdb'}: nothing published yet "
        "(run `flowmart build`, or `flowmart demo`)"
    )
    assert not (tmp_path / "w.duckdb").exists()
