"""What the command line shows: one-line errors, exit codes, progress (rich, on stderr).

A leaf module: every command imports it, it imports no command.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

EXIT_REFUSED = 1  # some input was refused (a file at landing, a critical check of the gate)
EXIT_USER_ERROR = 2  # the command could not do what was asked; one line says why

# stderr carries progress and errors; stdout the results a script may read
console = Console(stderr=True, highlight=False, soft_wrap=True)


class UserError(Exception):
    """An error caused by the user's input: shown as one line, exit code 2, no traceback."""


def error(text: str) -> None:
    console.print(f"error: {text}", markup=False, highlight=False)


def say(text: str) -> None:
    """A line of progress on stderr."""
    console.print(text, markup=False, highlight=False)


def step(number: int, total: int, text: str) -> None:
    say(f"{number}/{total} {text}")


@contextmanager
def counted(label: str, total: int, unit: str = "files", interval: float = 2.0) -> Iterator:
    """Progress over ``total`` things: a live bar on a terminal (gone when done), a line at most every
    ``interval`` seconds on a pipe. Yields ``advance(completed, detail)``."""
    if not console.is_terminal:
        last = [0.0]

        def line(completed: int, detail: str = "") -> None:
            now = time.perf_counter()
            if now - last[0] >= interval:
                last[0] = now
                say(f"{label}: {completed:,}/{total:,} {unit}" + (f", {detail}" if detail else ""))

        yield line
        return
    progress = Progress(
        TextColumn(f"{label}:"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with progress:
        task = progress.add_task(label, total=total, detail="")

        def advance(completed: int, detail: str = "") -> None:
            progress.update(task, completed=completed, detail=detail)

        yield advance


@contextmanager
def status(label: str, interval: float = 2.0) -> Iterator:
    """A status line for work that reports what it is doing: a spinner on a terminal, a line at most
    every ``interval`` seconds on a pipe. Yields ``update(text)``."""
    if console.is_terminal:
        with console.status(label) as live:
            yield lambda text: live.update(f"{label}: {text}")
        return
    last = [0.0]

    def update(text: str) -> None:
        now = time.perf_counter()
        if now - last[0] >= interval:
            last[0] = now
            say(f"{label}: {text}")

    yield update


def add_db_option(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="DuckDB warehouse file (default: $FLOWMART_DB, else ./warehouse/flowmart.duckdb)",
    )
    return parser
