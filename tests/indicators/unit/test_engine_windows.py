"""The engine's interval rules of D against the windows as the definitions state them, day by day."""

from datetime import date, timedelta

import pytest
from pedgrowth.contracts import add_months
from pedgrowth.indicators.definitions import Variant
from pedgrowth.indicators.engine.days import covers, first_day_month_reaching, first_day_reaching, preimage, years_before
from pedgrowth.indicators.engine.windows import window_of

from tests.indicators import oracle

DAYS = [date(2019, 12, 1) + timedelta(days=n) for n in range(0, 1600, 3)] + [
    date(2020, 2, 28), date(2020, 2, 29), date(2020, 3, 1), date(2023, 2, 28), date(2023, 3, 1),
    date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1), date(2021, 8, 31), date(2021, 9, 1)]


def test_a_course_on_29_february_2020_still_counts_on_28_february_2023():
    c = date(2020, 2, 29).toordinal()
    assert first_day_reaching(c, 3) == date(2023, 3, 1).toordinal()
    assert first_day_reaching(c, 1) == date(2021, 3, 1).toordinal()


@pytest.mark.parametrize("years", [1, 3, 35, 60])
def test_the_first_day_reaching_is_the_first_day_whose_minus_years_reaches(years):
    for c in DAYS:
        e = first_day_reaching(c.toordinal(), years)
        assert years_before(e, years) >= c.toordinal() > years_before(e - 1, years), c


@pytest.mark.parametrize("name", ["rolling_3y", "rolling_1y", "since_period_start", "calendar_year", "school_year"])
def test_dated_facts_and_intervals_count_exactly_on_the_days_of_the_window(name):
    variant = Variant(window=name, period_start=date(2021, 3, 1) if name == "since_period_start" else None)
    rule = window_of(variant)
    checks = [date(2020, 2, 29), date(2021, 2, 28), date(2021, 3, 1), date(2022, 9, 1), date(2023, 2, 28)]
    for c in checks:
        fact = rule.fact(c.toordinal())
        for b in (c + timedelta(days=1), c + timedelta(days=200), None):
            met = rule.meets(c.toordinal(), b.toordinal() if b else 10**7)
            for d in DAYS:
                window = oracle.window(variant, d)
                assert covers(fact, d.toordinal()) == window.holds(c), (c, d)
                assert covers(met, d.toordinal()) == window.meets(c, b), (c, b, d)


def test_the_cohort_of_three_years_before_is_the_preimage_under_minus_years():
    young = ((date(2019, 5, 1).toordinal(), date(2020, 2, 29).toordinal()),)
    shifted = preimage(young, 3)
    for d in DAYS:
        assert covers(shifted, d.toordinal()) == covers(young, years_before(d.toordinal(), 3)), d


def test_six_months_ahead_keeps_the_day_and_clamps_to_the_month_end():
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    for c in DAYS:
        e = first_day_month_reaching(c.toordinal(), 6)
        assert add_months(date.fromordinal(e), 6) >= c > add_months(date.fromordinal(e - 1), 6)
