"""Survival never extrapolates: an estimate at day 100, 1, 3 or 5 years only when at least five
patients are followed that long; a median only when reached with five still at risk.

Times are (days, died). Five years is day 1826 (5 × 365.25, rounded); expected values are worked
out by hand in each test."""

import pytest

from stemhub.cordblood.survival import (
    MILESTONES,
    MIN_AT_RISK,
    at_risk,
    estimate,
    estimates,
    followup_months,
    kaplan_meier,
    median_survival,
)

FIVE_YEARS = 1826


def test_the_milestones_are_whole_days_of_365_25_day_years():
    assert [day for day, _label in MILESTONES] == [100, 365, 1096, 1826]
    assert MIN_AT_RISK == 5


def test_five_patients_followed_exactly_five_years_make_the_estimate():
    # One death at day 400 among six; five alive and followed exactly to day 1826.
    times = [(400, True)] + [(FIVE_YEARS, False)] * 5
    found = estimate(times, FIVE_YEARS, "5 years")
    assert found.at_risk == 5
    assert found.value == pytest.approx(5 / 6)  # S = 1 − 1/6 from day 400 on
    assert found.reason == ""


def test_one_day_short_of_five_years_is_not_yet_estimable_and_says_why():
    # The same six, but the five survivors were last seen on day 1825.
    times = [(400, True)] + [(FIVE_YEARS - 1, False)] * 5
    found = estimate(times, FIVE_YEARS, "5 years")
    assert found.value is None and found.at_risk == 0
    # 1825 days are 59.96 months: follow-up runs 59 (whole) months.
    assert found.reason == (
        "Follow-up runs 59 months; survival at 5 years is not yet estimable (0 of the 5 "
        "patients needed are followed that long)."
    )


def test_four_patients_followed_beyond_five_years_are_not_enough():
    times = [(FIVE_YEARS + 300, False)] * 4 + [(30, True)] * 10
    found = estimate(times, FIVE_YEARS, "5 years")
    assert (found.value, found.at_risk) == (None, 4)
    assert "(4 of the 5 patients needed" in found.reason


def test_a_death_on_the_day_counts_the_patient_at_risk_that_day():
    # At risk on day t: followed (or died) on day t or later.
    times = [(365, True), (365, False), (366, False), (400, False), (500, False)]
    assert at_risk(times, 365) == 5
    assert at_risk(times, 366) == 3
    # S(365): one death of 5 at risk → 0.8, shown: five were followed to day 365.
    assert estimate(times, 365, "1 year").value == 0.8


def test_each_milestone_is_judged_on_its_own():
    # Eight patients followed 2 years, none died: day 100 and 1 year estimable, 3 and 5 not.
    times = [(730, False)] * 8
    found = estimates(times)
    assert [e.value for e in found] == [1.0, 1.0, None, None]
    assert [e.at_risk for e in found] == [8, 8, 0, 0]
    assert followup_months(times) == 23  # 730 days / 30.44 = 23.98


def test_the_median_needs_the_curve_to_fall_to_half_with_enough_at_risk():
    # Ten patients, deaths on days 10..50 (one every 10 days), five alive at day 200.
    times = [(10 * n, True) for n in range(1, 6)] + [(200, False)] * 5
    # S: 0.9, 0.8, 0.7, 0.6, 0.5 on day 50 — reached, with 6 at risk (day 50 and the five).
    assert kaplan_meier(times)[-1] == (50, pytest.approx(0.5))
    median = median_survival(times)
    assert (median.day, median.reached) == (50, True)


def test_a_median_reached_with_too_few_at_risk_is_not_shown():
    # Four patients: deaths on days 10, 20, 30, 40 → S falls to 0.5 on day 20, 3 at risk.
    median = median_survival([(10, True), (20, True), (30, True), (40, True)])
    assert (median.day, median.reached) == (None, True)


def test_a_median_not_reached_is_said_so():
    median = median_survival([(100, True)] + [(900, False)] * 9)
    assert (median.day, median.reached) == (None, False)
