"""Monte Carlo forecasts: exact for constructed histories, stable for a fixed seed."""

from __future__ import annotations

import math
from datetime import date

import pytest

from flowmart.report.forecast import how_many, how_many_by, items_done_by, stable_seed, when_done


def binomial_at_least(n: int, k: int, p: float = 0.5) -> float:
    """P(Binomial(n, p) >= k), by the textbook sum."""
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


def test_constant_throughput_is_certain():
    # 3 items every day for 12 weeks: every trial draws 3 per day.
    history = [3] * 84
    # 13 weeks = 91 days * 3 = 273 items; 26 weeks = 182 * 3 = 546 items, at every confidence level
    assert how_many(history, 91, trials=500, seed=1).values == {0.5: 273, 0.85: 273, 0.95: 273}
    assert how_many(history, 182, trials=500, seed=1).values == {0.5: 546, 0.85: 546, 0.95: 546}
    # 31 open items at 3 per day: 10 days give 30, the 11th day finishes them
    assert when_done(history, 31, trials=500, seed=1).values == {0.5: 11, 0.85: 11, 0.95: 11}


def test_weekday_history_counts_weekends_as_idle_days():
    # 2 items on each weekday, none at weekends, for 4 weeks: a day draws 2 with probability 5/7.
    history = ([2] * 5 + [0] * 2) * 4
    result = how_many(history, 7, trials=20_000, seed=7)
    # 7 draws, each 2 with p = 5/7 (q = 2/7): total = 2 * B, B ~ Binomial(7, 5/7).
    # P(B=7) = p^7 = 0.0949, P(B=6) = 7 p^6 q = 0.2657, P(B=5) = 21 p^5 q^2 = 0.3187,
    # P(B=4) = 35 p^4 q^3 = 0.2125, P(B=3) = 35 p^3 q^4 = 0.0850
    # P(B >= 6) = 0.361 < 0.5 <= P(B >= 5) = 0.679           -> 50%: 2 * 5 = 10 items
    # P(B >= 5) = 0.679 < 0.85 <= P(B >= 4) = 0.892          -> 85%: 2 * 4 = 8 items
    # P(B >= 4) = 0.892 < 0.95 <= P(B >= 3) = 0.977          -> 95%: 2 * 3 = 6 items
    assert binomial_at_least(7, 5, 5 / 7) == pytest.approx(0.679, abs=0.001)
    assert binomial_at_least(7, 4, 5 / 7) == pytest.approx(0.892, abs=0.001)
    assert binomial_at_least(7, 3, 5 / 7) == pytest.approx(0.977, abs=0.001)
    assert result.values == {0.5: 10, 0.85: 8, 0.95: 6}


def test_coin_flip_history_matches_the_binomial_distribution():
    # Half the days finished 1 item, half 0: the total over 91 days is Binomial(91, 0.5).
    history = [0, 1] * 42
    result = how_many(history, 91, trials=20_000, seed=3)
    for confidence in (0.5, 0.85, 0.95):
        exact = max(k for k in range(92) if binomial_at_least(91, k) >= confidence)
        assert abs(result.at(confidence) - exact) <= 1, (confidence, result.at(confidence), exact)
    # the exact values, for the record: 85% -> 41 items (P(X >= 41) = 0.868), 95% -> 38 items
    assert max(k for k in range(92) if binomial_at_least(91, k) >= 0.85) == 41
    assert max(k for k in range(92) if binomial_at_least(91, k) >= 0.95) == 38


def test_when_done_matches_the_negative_binomial():
    # Coin-flip days again: 10 items are done within d days when Binomial(d, 0.5) >= 10.
    history = [0, 1] * 42
    result = when_done(history, 10, trials=20_000, seed=5)
    for confidence in (0.5, 0.85, 0.95):
        exact = min(d for d in range(10, 200) if binomial_at_least(d, 10) >= confidence)
        assert abs(result.at(confidence) - exact) <= 1, (confidence, result.at(confidence), exact)
    # 50%: 19 days (P(B(19) >= 10) = 0.5 exactly, P(B(18) >= 10) = 0.41); 85%: 25 days; 95%: 28 days
    assert [min(d for d in range(10, 200) if binomial_at_least(d, 10) >= c) for c in (0.5, 0.85, 0.95)] == [
        19,
        25,
        28,
    ]


def test_same_seed_same_result_and_seeds_agree_closely():
    history = [0, 0, 1, 2, 5, 0, 3, 1, 0, 4, 2, 0, 0, 1]
    first = how_many(history, 182, seed=11)
    assert first == how_many(history, 182, seed=11)
    assert when_done(history, 40, seed=11) == when_done(history, 40, seed=11)
    other = how_many(history, 182, seed=12)
    for confidence in (0.5, 0.85, 0.95):
        assert abs(first.at(confidence) - other.at(confidence)) <= 0.03 * first.at(confidence)


def test_higher_confidence_promises_fewer_items_and_more_days():
    history = [0, 0, 1, 2, 5, 0, 3, 1, 0, 4, 2, 0, 0, 1]
    count = how_many(history, 91, seed=2)
    assert count.at(0.5) >= count.at(0.85) >= count.at(0.95)
    days = when_done(history, 60, seed=2)
    assert days.at(0.5) <= days.at(0.85) <= days.at(0.95)


def test_no_throughput_never_finishes_and_nothing_open_is_done_now():
    assert when_done([0] * 84, 5, trials=100).values == {0.5: None, 0.85: None, 0.95: None}
    assert how_many([0] * 84, 91, trials=100).values == {0.5: 0, 0.85: 0, 0.95: 0}
    assert when_done([1, 2], 0, trials=100).values == {0.5: 0, 0.85: 0, 0.95: 0}


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        how_many([], 91)
    with pytest.raises(ValueError):
        how_many([1, -1], 91)
    with pytest.raises(ValueError):
        when_done([1], -3)


def test_stable_seed_does_not_depend_on_the_process():
    assert stable_seed("2026-H1", "payments") == stable_seed("2026-H1", "payments")
    assert stable_seed("2026-H1", "payments") != stable_seed("2026-H1", "platform")


# --- the questions people ask: "when will these N items be done", "how many by this date" ---


def test_a_constant_weekly_history_gives_exact_weeks_and_items():
    # 5 items finished every week for 12 weeks; each history entry is one week, so one draw = one week.
    weekly = [5] * 12
    # when will 20 items be done? every trial finishes 5 a week: 5, 10, 15, 20 -> week 4 = 20 / 5
    assert when_done(weekly, 20, trials=500, seed=3).values == {0.5: 4, 0.85: 4, 0.95: 4}
    # 22 items: 4 weeks give 20 < 22, the 5th week 25 >= 22 -> ceil(22 / 5) = 5 weeks
    assert when_done(weekly, 22, trials=500, seed=3).values == {0.5: 5, 0.85: 5, 0.95: 5}
    # how many in 13 weeks: 5 * 13 = 65 items, at every confidence level
    assert how_many(weekly, 13, trials=500, seed=3).values == {0.5: 65, 0.85: 65, 0.95: 65}


def test_items_done_by_counts_the_start_as_day_one():
    # 2 items every day: 10 items take 5 days (2, 4, 6, 8, 10); day 1 is the start itself, so
    # the 5th day is 2026-07-01 + 4 days = 2026-07-05, at every confidence level
    result = items_done_by([2] * 84, 10, date(2026, 7, 1), trials=500, seed=1)
    assert result.days.values == {0.5: 5, 0.85: 5, 0.95: 5}
    assert result.dates == {c: date(2026, 7, 5) for c in (0.5, 0.85, 0.95)}
    # 11 items: 5 days give 10, the 6th day 12 -> 2026-07-06
    assert items_done_by([2] * 84, 11, date(2026, 7, 1), trials=500, seed=1).dates[0.85] == date(2026, 7, 6)
    with pytest.raises(ValueError):
        items_done_by([2] * 84, 0, date(2026, 7, 1))


def test_items_done_by_without_throughput_has_no_date():
    result = items_done_by([0] * 84, 3, date(2026, 7, 1), trials=200, seed=1)
    assert result.dates == {0.5: None, 0.85: None, 0.95: None}


def test_how_many_by_includes_both_days():
    # from 2026-07-01 to 2026-09-30 (the quarter after H1): 31 + 31 + 30 = 92 days; 2 a day -> 184 items
    result = how_many_by([2] * 84, date(2026, 7, 1), date(2026, 9, 30), trials=500, seed=1)
    assert result.values == {0.5: 184, 0.85: 184, 0.95: 184}
    # a single day: start = end -> 1 day -> 2 items
    assert how_many_by([2] * 84, date(2026, 7, 1), date(2026, 7, 1), trials=100).values[0.95] == 2
    with pytest.raises(ValueError):
        how_many_by([2] * 84, date(2026, 7, 2), date(2026, 7, 1))


def test_how_many_by_with_an_alternating_history():
    # days of 0 or 4 items, equally likely: over 2 days the total is 0, 4 or 8 with probabilities
    # 1/4, 1/2, 1/4. P(total >= 8) = 0.25 < 0.5 <= P(total >= 4) = 0.75 -> 50%: 4 items;
    # 0.85 and 0.95 > 0.75 -> only P(total >= 0) = 1 reaches them -> 0 items
    result = how_many_by([0, 4] * 42, date(2026, 7, 1), date(2026, 7, 2), trials=20_000, seed=5)
    assert result.values == {0.5: 4, 0.85: 0, 0.95: 0}
