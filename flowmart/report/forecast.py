"""Monte Carlo forecasts from a history of daily throughput (finished items per calendar day).

Each trial draws one past day at random (with replacement) for every future day and adds up the
items finished. Calendar days, weekends and holidays included: their zero days are part of the
history, so the forecast keeps the same mix of working and idle days.

* ``how_many(history, days, ...)``: items finished in the next ``days`` days, at each confidence level:
  the largest count that at least that share of the trials reached ("85%: at least 40 items").
* ``when_done(history, items, ...)``: days until ``items`` more items are finished, at each confidence
  level: the smallest number of days within which at least that share of the trials finished.

The questions people ask, on calendar dates (``flowmart forecast``, the review's "next items" table):

* ``items_done_by(history, items, start)``: the date by which ``items`` more items are finished (the day
  ``when_done`` gives, counted from ``start``: day 1 is ``start`` itself);
* ``how_many_by(history, start, end)``: items finished from ``start`` up to and including ``end``.

The functions do not care what a history entry's period is: a history of weekly counts forecasts in
weeks (the unit tests use one, 5 a week, to check the arithmetic by hand).

Pure functions of their arguments: the same history, horizon, trial count and seed give the same
result (numpy's PCG64 generator).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

CONFIDENCE_LEVELS = (0.50, 0.85, 0.95)
DEFAULT_TRIALS = 10_000
DEFAULT_HISTORY_WEEKS = 12
# a trial that has not finished the backlog after this many days counts as "not within the horizon"
MAX_DAYS = 5 * 365


@dataclass(frozen=True)
class Forecast:
    """Result at each confidence level; ``None`` where the trials never got there (no throughput)."""

    values: dict[float, int | None]
    trials: int
    history_days: int
    history_items: int

    def at(self, confidence: float) -> int | None:
        return self.values[confidence]


def _history(history: Sequence[float]) -> np.ndarray:
    values = np.asarray(list(history), dtype=np.int64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("the throughput history needs at least one day")
    if (values < 0).any():
        raise ValueError("daily throughput cannot be negative")
    return values


def _rank(confidence: float, trials: int) -> int:
    """0-based index of the order statistic that at least ``confidence`` of the trials reach."""
    if not 0 < confidence <= 1:
        raise ValueError(f"confidence {confidence}: must be in (0, 1]")
    return max(0, math.ceil(round(confidence * trials, 9)) - 1)


def how_many(
    history: Sequence[float],
    days: int,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
    confidence_levels: Sequence[float] = CONFIDENCE_LEVELS,
) -> Forecast:
    """Items finished in the next ``days`` days: at confidence c, the count reached by >= c of the trials."""
    values = _history(history)
    if days < 1:
        raise ValueError("days must be at least 1")
    rng = np.random.Generator(np.random.PCG64(seed))
    totals = np.zeros(trials, dtype=np.int64)
    # draw in blocks of days to bound memory for big trial counts
    block = max(1, 2_000_000 // trials)
    for first in range(0, days, block):
        width = min(block, days - first)
        totals += values[rng.integers(0, values.size, size=(trials, width))].sum(axis=1)
    descending = np.sort(totals)[::-1]
    result = {c: int(descending[_rank(c, trials)]) for c in confidence_levels}
    return Forecast(result, trials, int(values.size), int(values.sum()))


def when_done(
    history: Sequence[float],
    items: int,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
    confidence_levels: Sequence[float] = CONFIDENCE_LEVELS,
    max_days: int = MAX_DAYS,
) -> Forecast:
    """Days until ``items`` more items are finished: at confidence c, the days within which >= c of trials did.

    ``0`` when there is nothing to finish; ``None`` where fewer than c of the trials finish within ``max_days``.
    """
    values = _history(history)
    if items < 0:
        raise ValueError("items cannot be negative")
    if items == 0:
        return Forecast({c: 0 for c in confidence_levels}, trials, int(values.size), int(values.sum()))
    rng = np.random.Generator(np.random.PCG64(seed))
    finished_on = np.full(trials, np.iinfo(np.int64).max, dtype=np.int64)
    done_so_far = np.zeros(trials, dtype=np.int64)
    open_trials = np.arange(trials)
    day = 0
    block = 64
    while open_trials.size and day < max_days and values.sum() > 0:
        width = min(block, max_days - day)
        draws = values[rng.integers(0, values.size, size=(open_trials.size, width))]
        running = done_so_far[open_trials, None] + np.cumsum(draws, axis=1)
        reached = running >= items
        has = reached.any(axis=1)
        first = reached.argmax(axis=1)
        finished_on[open_trials[has]] = day + first[has] + 1  # day 1 = tomorrow
        done_so_far[open_trials] = running[:, -1]
        open_trials = open_trials[~has]
        day += width
    ascending = np.sort(finished_on)
    result: dict[float, int | None] = {}
    for c in confidence_levels:
        value = int(ascending[_rank(c, trials)])
        result[c] = None if value > max_days else value
    return Forecast(result, trials, int(values.size), int(values.sum()))


@dataclass(frozen=True)
class DateForecast:
    """``items_done_by``: at each confidence, the last day of work (``None``: not within ``MAX_DAYS``)."""

    dates: dict[float, date | None]
    days: Forecast  # the same, in days counted from the start (day 1 = the start day)


def items_done_by(
    history: Sequence[float],
    items: int,
    start: date,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
    confidence_levels: Sequence[float] = CONFIDENCE_LEVELS,
) -> DateForecast:
    """When will the next ``items`` items be done, working from ``start`` on: at confidence c, the date by which
    at least c of the trials had finished them (day n of a trial ends on ``start + n - 1 days``)."""
    if items < 1:
        raise ValueError("items must be at least 1")
    days = when_done(history, items, trials=trials, seed=seed, confidence_levels=confidence_levels)
    dates = {c: None if n is None else start + timedelta(days=n - 1) for c, n in days.values.items()}
    return DateForecast(dates, days)


def how_many_by(
    history: Sequence[float],
    start: date,
    end: date,
    trials: int = DEFAULT_TRIALS,
    seed: int = 0,
    confidence_levels: Sequence[float] = CONFIDENCE_LEVELS,
) -> Forecast:
    """How many items will be finished from ``start`` to ``end`` (both days included): at confidence c, the
    count at least c of the trials reached."""
    days = (end - start).days + 1
    if days < 1:
        raise ValueError(f"{end.isoformat()} is before {start.isoformat()}")
    return how_many(history, days, trials=trials, seed=seed, confidence_levels=confidence_levels)


def stable_seed(*parts: str) -> int:
    """A seed derived from text (e.g. review and stream) that is the same in every process (no hash())."""
    import hashlib

    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")
