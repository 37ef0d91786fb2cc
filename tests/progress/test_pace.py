from decimal import Decimal as D

import pytest

from keyprojects.progress.pace import actual_share, check_curve, expected_share, light_for

Y, R = D(10), D(30)


@pytest.mark.parametrize(
    ("month", "share"), [(1, "8.33"), (6, "50.00"), (10, "83.33"), (12, "100.00")]
)
def test_the_expected_share_is_m_over_12(month, share):
    assert expected_share(month) == D(share)


def test_a_plan_curve_replaces_the_even_pace():
    curve = [0, 0, 5, 10, 20, 30, 40, 50, 60, 75, 90, 100]
    assert expected_share(4, curve) == D("10.00")


@pytest.mark.parametrize(
    ("gap", "light"),
    [("0", "green"), ("-9.99", "green"), ("-10", "yellow"), ("-30", "yellow"),
     ("-30.01", "red"), ("5", "green")],
)  # fmt: skip
def test_lights_at_each_threshold_edge(gap, light):
    assert light_for(D(gap), yellow=Y, red=R) == light


@pytest.mark.parametrize(("gap", "light"), [("-20", "red"), ("-10", "red"), ("-9.99", "green")])
def test_a_red_light_turns_back_only_when_caught_up(gap, light):
    assert light_for(D(gap), yellow=Y, red=R, previous="red") == light


def test_actual_share_without_a_target_is_zero():
    assert actual_share(D(5), D(0)) == 0


@pytest.mark.parametrize(
    "curve", [[10] * 11, [0, 10, 5, 20, 30, 40, 50, 60, 70, 80, 90, 100], [10] * 12, ["x"] * 12]
)
def test_a_bad_curve_is_refused_with_a_reason(curve):
    assert check_curve(curve)
