"""The arithmetic of each indicator, the total, the ranking and the lists, against numbers
worked out by hand (ratios to four places, points to two, half up)."""

from __future__ import annotations

from decimal import Decimal as D

from keyprojects.assessment import scoring
from keyprojects.assessment.rules import default_params

W40, W20, W10 = D(40), D(20), D(10)


def params(kind, **changes):
    return {**default_params(kind), **changes}


class TestInvestment:
    def test_completed_against_the_pace_times_the_weight(self):
        # 1,234 万元 done; plan 5,000 万元 at 41.67% expected = 2,083.5 万元.
        # 12,340,000 ÷ 20,835,000 = 0.592272… → 0.5923; × 40 = 23.692 → 23.69.
        out = scoring.investment(
            W40,
            params("investment_completion"),
            completed=D(12_340_000),
            expected=D(20_835_000),
            planned=D(50_000_000),
        )
        assert out.figures["ratio"] == D("0.5923")
        assert out.points == D("23.69")
        assert not out.no_data

    def test_ahead_of_the_pace_earns_up_to_the_cap(self):
        # 150 ÷ 100 = 1.5, capped at 1.2: 1.2 × 40 = 48.
        out = scoring.investment(
            W40,
            params("investment_completion"),
            completed=D(150),
            expected=D(100),
            planned=D(200),
        )
        assert out.figures["used"] == D("1.2") and out.points == D("48.00")
        capped = scoring.investment(
            W40,
            params("investment_completion", cap=1),
            completed=D(150),
            expected=D(100),
            planned=D(200),
        )
        assert capped.points == D("40.00")

    def test_a_negative_total_counts_as_nothing(self):
        out = scoring.investment(
            W40,
            params("investment_completion"),
            completed=D(-10),
            expected=D(100),
            planned=D(200),
        )
        assert out.figures["ratio"] == D("-0.1000") and out.points == D("0.00")

    def test_nothing_expected_is_no_data_handled_as_configured(self):
        def run(mode):
            return scoring.investment(
                W40,
                params("investment_completion", when_no_data=mode),
                completed=D(0),
                expected=D(0),
                planned=D(0),
            )

        assert run("exclude").points is None and run("exclude").no_data
        assert run("full").points == W40
        assert run("zero").points == D(0)


def test_milestones_on_time_and_late_with_partial_credit():
    # (3 + 1 × 0.5) ÷ 5 = 0.7; × 20 = 14.
    out = scoring.milestones(
        W20, params("milestones", late_credit=0.5), on_time=3, late=1, missed=1
    )
    assert out.figures["ratio"] == D("0.7000") and out.points == D("14.00")
    # 1 ÷ 3 = 0.3333; × 20 = 6.666 → 6.67.
    assert scoring.milestones(W20, params("milestones"), on_time=1, late=1, missed=1).points == D(
        "6.67"
    )
    assert scoring.milestones(W20, params("milestones"), on_time=0, late=0, missed=0).no_data


def test_reports_on_time():
    # 7 ÷ 9 = 0.7778; × 10 = 7.778 → 7.78.
    out = scoring.reporting(W10, params("reporting_on_time"), on_time=7, due=9)
    assert out.points == D("7.78")
    assert scoring.reporting(W10, params("reporting_on_time"), on_time=0, due=0).no_data


def test_closure_with_a_deduction_for_each_overdue_item_and_a_floor():
    # 5 ÷ 8 = 0.625; × 20 = 12.50; 2 overdue × 2 = 4; 12.50 − 4 = 8.50.
    out = scoring.closure(W20, params("problem_closure"), closed=5, considered=8, overdue=2)
    assert (out.figures["earned"], out.figures["deduction"], out.points) == (
        D("12.50"),
        D("4.00"),
        D("8.50"),
    )
    floor = scoring.closure(
        W20,
        params("problem_closure", overdue_deduction=5),
        closed=0,
        considered=4,
        overdue=3,
    )
    assert floor.points == D(0)


def test_safety_starts_at_the_weight_and_deducts():
    p = params("safety", open_hazard=0.5)
    # 1 overdue × 2 + 2 open × 0.5 = 3; 10 − 3 = 7.
    assert scoring.safety(W10, p, available=True, overdue_hazards=1, open_hazards=2).points == D(
        "7.00"
    )
    # 2 × 2 + 3 × 0.5 + one general accident 5 = 10.5; never below 0.
    out = scoring.safety(
        W10, p, available=True, overdue_hazards=2, open_hazards=3, incidents={"general": 1}
    )
    assert out.figures["deductions"] == D("10.50") and out.points == D(0)
    # A larger (较大) accident costs 10 by default: all the points.
    assert scoring.safety(W10, p, available=True, incidents={"larger": 1}).points == D(0)
    assert scoring.safety(W10, p, available=False).no_data


def test_the_total_adds_the_points_and_scales_when_indicators_are_left_out():
    lines = [(W40, D("23.69")), (W20, D("14.00")), (W10, D("7.78")), (W20, D("8.50"))]
    full = scoring.total([*lines, (W10, D("7.00"))])
    assert (full.points_sum, full.total, full.scaled) == (D("60.97"), D("60.97"), False)
    # Safety left out: 53.97 ÷ 90 × 100 = 59.966… → 59.97.
    scaled = scoring.total([*lines, (W10, None)])
    assert (scaled.points_sum, scaled.weight_counted, scaled.total) == (
        D("53.97"),
        D("90.00"),
        D("59.97"),
    )
    assert scaled.scaled
    assert scoring.total([(W40, None), (W20, None)]).total is None


def rankable(name, total, *tie_break):
    return scoring.Rankable(name, name, None if total is None else D(total), tuple(tie_break))


def test_ranks_break_ties_by_the_heaviest_indicator_and_share_full_ties():
    items = [
        rankable("B", 75, D(30), D(20)),
        rankable("E", None),
        rankable("D", 75, D(30), D(25)),
        rankable("A", 80, D(40), D(10)),
        rankable("C", 75, D(30), D(25)),
    ]
    ranked = scoring.rank(items)
    assert [(r, i.name) for r, i in ranked] == [
        (1, "A"),
        (2, "C"),
        (2, "D"),
        (4, "B"),
        (None, "E"),
    ]


def test_red_and_black_lists_take_ties_and_never_overlap():
    ranked = scoring.rank(
        [
            rankable("A", 80, D(40)),
            rankable("C", 75, D(30)),
            rankable("D", 75, D(30)),
            rankable("B", 70, D(20)),
            rankable("E", None),
        ]
    )

    def lists(**kw):
        found = scoring.boards(ranked, **{"black_below": None, **kw})
        red = sorted(k for k, v in found.items() if v == "red")
        black = sorted(k for k, v in found.items() if v == "black")
        return red, black

    assert lists(red_size=1, black_size=1) == (["A"], ["B"])
    # The second from the bottom is tied with the third: both go on the black list.
    assert lists(red_size=1, black_size=2) == (["A"], ["B", "C", "D"])
    # A threshold lists everyone below it; no one unranked is listed.
    assert lists(red_size=1, black_size=0, black_below=D(78)) == (["A"], ["B", "C", "D"])
    # Overlap: the red list wins.
    assert lists(red_size=2, black_size=3) == (["A", "C", "D"], ["B"])
    assert lists(red_size=0, black_size=0) == ([], [])
