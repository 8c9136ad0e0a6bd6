"""The coding tasks in the truth files are consistent: a reference solution built from the fully
discovered constraints passes every example and hidden test, and one built from a misunderstanding fails."""

from __future__ import annotations

import pytest

from grader.phases.difficult_client import load_scenario


def accept_order(placed_day, placed_hour, pickup_day):
    ahead = pickup_day - placed_day
    return 1 <= ahead <= 7 and (ahead > 1 or placed_hour < 14)


def can_sign_up(shifts_this_week, age, shift_end_hour):
    return shifts_this_week < 2 and (age >= 18 or shift_end_hour <= 20)


def monthly_price(seats, annual):
    if seats > 50:
        return "contact sales"
    price = 12 * seats
    return round(price * 0.85 if annual and seats >= 5 else price, 2) * 1.0


def monthly_price_stale(seats, annual):
    """Built from the founder's first answer (10% off every annual plan): the student missed the change."""
    if seats > 50:
        return "contact sales"
    return round(12 * seats * (0.9 if annual else 1.0), 2)


def orders_to_sync(orders):
    return [oid for oid, _, _ in sorted((o for o in orders if not o[2]), key=lambda o: (o[1], o[0]))]


REFERENCE = {
    "angry_bakery_owner": accept_order,
    "overwhelmed_nonprofit_director": can_sign_up,
    "perfectionist_startup_founder": monthly_price,
    "impatient_restaurant_owner": orders_to_sync,
}


@pytest.mark.parametrize("scenario_id", sorted(REFERENCE))
def test_reference_solution_passes_examples_and_hidden_tests(scenario_id):
    task = load_scenario(scenario_id).coding_task
    solve = REFERENCE[scenario_id]
    assert solve.__name__ == task.function_name
    for case in task.examples + task.hidden_tests:
        assert solve(*case.args) == case.expected, case


def test_missing_the_founders_change_fails_hidden_tests():
    task = load_scenario("perfectionist_startup_founder").coding_task
    failures = [c for c in task.hidden_tests if monthly_price_stale(*c.args) != c.expected]
    assert len(failures) >= 3
    assert all(monthly_price_stale(*c.args) == c.expected for c in task.examples)  # examples do not give it away
