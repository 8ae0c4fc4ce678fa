"""The README, walked as a new user walks it: every sentence that can be checked is checked.

* the trackers it names are the registry's; every make target, link and `flowmart` command it shows exists;
* `flowmart demo` (what `make demo` runs) builds as of the demo's export moment and prints example queries
  whose tables hold what their titles promise, rounded;
* the commands of "Using it on your own exports" run, in order, on exports like a user's.

CI runs this file on the oldest and the newest Python Flowmart supports (.ci/run, `make readme-walk`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flowmart import trackers
from flowmart.cli import COMMANDS, build_parser

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def shell_blocks(text: str) -> list[list[str]]:
    """The command lines of every ```sh block (comments after # dropped)."""
    blocks = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        lines = [line.split("  #")[0].split(" # ")[0].strip() for line in block.splitlines()]
        blocks.append([line for line in lines if line and not line.startswith("#")])
    return blocks


def test_the_readme_names_every_registered_tracker_in_its_first_paragraph():
    first = README.split("\n\n")[1]
    for tracker in trackers.all_trackers():
        name = "CSV" if tracker.name == "csv" else tracker.title.replace(" Issues", "")
        assert name in first, f"{tracker.title} is registered but the README's first paragraph does not name it"
    assert "on the way" not in README


def test_every_make_target_the_readme_shows_exists():
    makefile = (REPO / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.M))
    shown = set(re.findall(r"`make ([a-z-]+)", README)) | {
        line.split()[1] for block in shell_blocks(README) for line in block if line.startswith("make ")
    }
    assert shown, "the README shows make targets"
    assert sorted(shown - targets) == []


def test_every_local_link_in_the_readme_and_docs_exists():
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (doc.parent / target).exists(), f"{doc.name} links to {target}, which does not exist"


def test_every_flowmart_command_the_readme_and_docs_show_is_real():
    parser = build_parser()
    names = set(parser._subparsers._group_actions[0].choices)
    assert len(names) == len(COMMANDS)
    texts = [README, *(p.read_text(encoding="utf-8") for p in sorted((REPO / "docs").glob("*.md")))]
    shown = {m for text in texts for m in re.findall(r"flowmart ([a-z][a-z-]+)", text)}
    # words after "flowmart " that are not commands are prose, paths or packages; the documented ones are all there
    commands = {s for s in shown if s in names}
    assert {"land", "check", "build", "report", "publish", "sql", "mappings", "dbt", "forget-people"} <= commands
    for text in texts:
        for line in (line for block in shell_blocks(text) for line in block):
            match = re.match(r"(?:\.venv/bin/)?flowmart ([a-z][a-z-]+)", line)
            if match:
                assert match.group(1) in names, f"`{line}` shows a command that does not exist"


def run(args: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)


@pytest.mark.slow
def test_walking_the_readme(tmp_path):
    env = {**os.environ, "FLOWMART_DB": str(tmp_path / "warehouse" / "flowmart.duckdb")}
    env.pop("FLOWMART_PUBLISH_DIR", None)
    flowmart = [sys.executable, "-m", "flowmart.cli"]

    # `make demo` runs `flowmart demo`: as of its export moment, example queries rounded and filled
    demo = run([*flowmart, "demo", "--items", "600", "--out", str(tmp_path / "demo-data")], tmp_path, env)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "as of 2026-11-15 00:00:00 UTC" in demo.stderr + demo.stdout
    out = demo.stdout
    assert "six full months before 2026-11-15" in out
    # the monthly velocity table has May to October 2026 as columns, and no month is empty for the portfolio
    header = next(line for line in out.splitlines() if line.startswith("│ value_stream_id") and "2026-05" in line)
    assert [m for m in ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10") if m in header] == [
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
    ]
    portfolio = next(line for line in out.splitlines() if line.startswith("│ all "))
    assert "NULL" not in portfolio
    # figures are rounded: no number with more than 3 decimals anywhere in the printed tables
    assert re.findall(r"\d+\.\d{4,}", out) == []
    assert "\x1b[" not in demo.stdout + demo.stderr  # plain text when not on a terminal
    assert (tmp_path / "reports" / "flowmart-review-2026-H1.html").exists()

    # "Using it on your own exports", command by command, on exports like a user's (the demo's files)
    block = next(b for b in shell_blocks(README) if any("flowmart land" in line for line in b))
    env["FLOWMART_DB"] = str(tmp_path / "own" / "flowmart.duckdb")
    for line in block:
        args = line.replace(".venv/bin/flowmart", "").replace("path/to/exports/", str(tmp_path / "demo-data"))
        words = [w.strip('"') for w in re.findall(r'"[^"]*"|\S+', args)]
        result = run([*flowmart, *words], tmp_path, env)
        assert result.returncode == 0, f"`{line}`: {result.stderr[-2000:]}"
        assert "Traceback" not in result.stderr
        assert "\x1b[" not in result.stdout + result.stderr, f"`{line}` printed escape codes into a pipe"
    # the shell the README and the demo point to is installed, and reads the published file
    shell = Path(sys.executable).parent / "duckdb"
    published = tmp_path / "own" / "published" / "current" / "flowmart.duckdb"
    shown = run(
        [str(shell), "-readonly", "-csv", str(published), "-c", "select count(*) from marts.fct_work_items"],
        tmp_path,
        env,
    )
    assert shown.returncode == 0, shown.stderr
    assert int(shown.stdout.split()[-1]) > 500
