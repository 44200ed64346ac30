"""Behaviour of kaizen_portal.inputs.daily_csv and analysis.trends: the daily CSV as an author writes it, and its trend.

Problems are pinned as whole formatted lines because the wording, line and column are what the
author sees. Trend numbers are checked against references computed another way: numpy on the
raw samples behind the daily summaries, and one direct comparison of the summed counts.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kaizen_portal.analysis import sequential
from kaizen_portal.analysis.effects import compare_proportions
from kaizen_portal.analysis.trends import Trend, daily_frame, trend
from kaizen_portal.inputs.daily_csv import MAX_DAYS, MAX_PROBLEMS, DailyData, read_daily
from kaizen_portal.inputs.vocabulary import MetricKind

from helpers import always_valid_reference

ROOT = Path(__file__).resolve().parents[1]
PATH = "data/x.csv"
ARMS = ("control", "short_form")
PROPORTION = "date,arm,users,conversions"
MEAN = "date,arm,n,mean,sd"
# Two valid rows (lines 2 and 3) so that a third, broken row is the file's only problem.
PROPORTION_ROWS = ("2025-06-16,control,100,10", "2025-06-16,short_form,100,12")
MEAN_ROWS = ("2025-06-16,control,10,5.5,1.2", "2025-06-16,short_form,12,5.9,1.3")

FAST = settings(max_examples=200, deadline=None, database=None)


def csv_text(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def parse(text: str, arms: tuple[str, ...] = ARMS) -> DailyData:
    data, problems = read_daily(text, PATH, arms)
    assert problems == []
    assert data is not None
    return data


def problems_of(text: str, arms: tuple[str, ...] = ARMS) -> list[str]:
    data, problems = read_daily(text, PATH, arms)
    assert data is None
    assert problems
    return [p.format() for p in problems]


def only_problem(text: str, arms: tuple[str, ...] = ARMS) -> str:
    (problem,) = problems_of(text, arms)
    return problem


def frame(kind: MetricKind, rows: list[tuple[object, ...]]) -> pd.DataFrame:
    columns = ["date", "arm", "users", "conversions"]
    if kind is MetricKind.MEAN:
        columns = ["date", "arm", "n", "mean", "sd"]
    expected = pd.DataFrame(rows, columns=columns)
    if kind is MetricKind.MEAN:
        return expected.astype({"n": "int64", "mean": "float64", "sd": "float64"})
    return expected.astype({"users": "int64", "conversions": "int64"})


def d(day: int) -> dt.date:
    return dt.date(2025, 6, day)


# --- parsing valid files ------------------------------------------------------------------


def test_proportion_csv_parses_sorted_by_date_then_arm_order() -> None:
    data = parse(
        csv_text(
            PROPORTION,
            "2025-06-17,short_form,90,11",
            "2025-06-16,short_form,100,12",
            "2025-06-17,control,95,9",
            "2025-06-16,control,100,10",
        )
    )
    assert (data.path, data.kind, data.arms) == (PATH, MetricKind.PROPORTION, ARMS)
    expected = frame(
        MetricKind.PROPORTION,
        [
            (d(16), "control", 100, 10),
            (d(16), "short_form", 100, 12),
            (d(17), "control", 95, 9),
            (d(17), "short_form", 90, 11),
        ],
    )
    pd.testing.assert_frame_equal(daily_frame(data), expected)
    assert all(type(v) is dt.date for v in daily_frame(data)["date"])


def test_mean_csv_parses_with_free_column_order_quotes_spaces_crlf_bom_and_blank_lines() -> None:
    text = (
        "\ufeffsd, n ,date,mean,arm\r\n"
        "\r\n"
        '1.25,10, 2025-06-16 ,"5.5",control\r\n'
        "   \r\n"
        ",,,,\r\n"
        "0,1,2025-06-16,-3e1,short_form\r\n"
    )
    data = parse(text)
    assert data.kind is MetricKind.MEAN
    expected = frame(
        MetricKind.MEAN,
        [(d(16), "control", 10, 5.5, 1.25), (d(16), "short_form", 1, -30.0, 0.0)],
    )
    pd.testing.assert_frame_equal(daily_frame(data), expected)


def test_the_shipped_example_file_is_valid() -> None:
    text = (ROOT / "data/exp-2025-012.csv").read_text(encoding="utf-8")
    data = parse(text, ("control", "short_form"))
    assert data.kind is MetricKind.PROPORTION
    assert len(daily_frame(data)) == 42
    assert daily_frame(data)["date"].is_monotonic_increasing


def test_arms_are_ordered_as_the_write_up_lists_them_not_alphabetically() -> None:
    data = parse(csv_text(PROPORTION, "2025-06-16,a,1,0", "2025-06-16,z,1,1"), ("z", "a"))
    assert list(daily_frame(data)["arm"]) == ["z", "a"]


# --- problems: the file and its header ----------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n", "  \r\n\r\n", "\ufeff"])
def test_empty_file(text: str) -> None:
    assert only_problem(text) == (
        "data/x.csv:1:1: the file is empty (expected a header line such as "
        "date,arm,users,conversions, found nothing). "
        "Hint: add the header, then one row per day and arm"
    )


def test_header_without_rows() -> None:
    assert only_problem(csv_text(PROPORTION, "")) == (
        "data/x.csv:1:1: the file has a header but no rows (expected one row per day and arm, "
        "found nothing). Hint: add the daily numbers below the header, "
        "or remove 'data:' from the write-up"
    )


def test_misspelt_column_is_one_problem_with_a_did_you_mean() -> None:
    text = csv_text("date,arm,users,conversoins", *PROPORTION_ROWS)
    assert only_problem(text) == (
        "data/x.csv:1:16: conversoins: unknown column (expected a column of the proportion "
        "layout: date, arm, users, conversions, found 'conversoins'). "
        "Hint: did you mean 'conversions'?"
    )


def test_extra_column() -> None:
    text = csv_text(PROPORTION + ",notes", *(row + ",ok" for row in PROPORTION_ROWS))
    assert only_problem(text) == (
        "data/x.csv:1:28: notes: unknown column (expected a column of the proportion layout: "
        "date, arm, users, conversions, found 'notes'). "
        "Hint: remove the column; names are exact and lowercase"
    )


def test_capitalised_header_names_each_column() -> None:
    text = csv_text("Date,arm,n,Mean,sd", *MEAN_ROWS)
    assert problems_of(text) == [
        "data/x.csv:1:1: Date: unknown column (expected a column of the mean layout: "
        "date, arm, n, mean, sd, found 'Date'). Hint: did you mean 'date'?",
        "data/x.csv:1:12: Mean: unknown column (expected a column of the mean layout: "
        "date, arm, n, mean, sd, found 'Mean'). Hint: did you mean 'mean'?",
    ]


def test_missing_column() -> None:
    text = csv_text("date,arm,n,mean", "2025-06-16,control,10,5.5", "2025-06-16,short_form,9,5")
    assert only_problem(text) == (
        "data/x.csv:1:1: sd: missing column (expected the columns date, arm, n, mean, sd, "
        "found 'date, arm, n, mean'). Hint: add a 'sd' column"
    )


def test_duplicate_column() -> None:
    text = csv_text(
        "date,arm,users,users,conversions",
        "2025-06-16,control,100,100,10",
        "2025-06-16,short_form,100,100,12",
    )
    assert only_problem(text) == (
        "data/x.csv:1:16: users: duplicate column (expected each column once, found 'users'). "
        "Hint: remove one of the two 'users' columns"
    )


def test_trailing_comma_in_the_header() -> None:
    text = csv_text(PROPORTION + ",", *(row + "," for row in PROPORTION_ROWS))
    assert only_problem(text) == (
        "data/x.csv:1:28: a column has no name (expected a column of the proportion layout: "
        "date, arm, users, conversions, found nothing). "
        "Hint: remove the comma at the end of the line"
    )


def test_columns_of_both_layouts() -> None:
    text = csv_text("date,arm,users,conversions,n,mean,sd", "2025-06-16,control,1,1,2,3,4")
    assert problems_of(text)[0] == (
        "data/x.csv:1:1: the columns match neither daily layout (expected date, arm, users, "
        "conversions (a proportion) or date, arm, n, mean, sd (a mean), "
        "found 'date, arm, users, conversions, n, mean, sd'). "
        "Hint: keep the columns of one layout; a file holds one kind of metric"
    )


def test_a_file_without_header_is_told_to_add_one() -> None:
    assert only_problem(csv_text(*PROPORTION_ROWS)) == (
        "data/x.csv:1:1: the columns match neither daily layout (expected date, arm, users, "
        "conversions (a proportion) or date, arm, n, mean, sd (a mean), "
        "found '2025-06-16, control, 100, 10'). "
        "Hint: the first line must name the columns; add a header line above the rows"
    )


def test_an_arm_without_rows() -> None:
    text = csv_text(PROPORTION, "2025-06-16,control,100,10", "2025-06-17,control,90,8")
    assert only_problem(text) == (
        "data/x.csv:1:6: arm: no rows for arm 'short_form' (expected rows for every arm of the "
        "write-up, found nothing). "
        "Hint: check how the rows spell the arm; it must match the write-up's 'arms'"
    )


def test_a_write_up_without_arms() -> None:
    assert only_problem(csv_text(PROPORTION, *PROPORTION_ROWS), arms=()) == (
        "data/x.csv:1:1: arm: the write-up lists no arms to match the rows against (expected "
        "the experiment's arms, control first, found nothing). "
        "Hint: add 'arms: [control, variant]' to the write-up"
    )


# --- problems: cells ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            "2025-06-17,contrl,5,3",
            "4:12: arm: unknown arm (expected one of 'control', 'short_form', found 'contrl'). "
            "Hint: did you mean 'control'?",
        ),
        (
            "2025-06-17,  contrl ,5,3",
            "4:14: arm: unknown arm (expected one of 'control', 'short_form', found 'contrl'). "
            "Hint: did you mean 'control'?",
        ),
        (
            '2025-06-17,"contrl",5,3',
            "4:12: arm: unknown arm (expected one of 'control', 'short_form', found 'contrl'). "
            "Hint: did you mean 'control'?",
        ),
        (
            "2025-06-17,treatment,5,3",
            "4:12: arm: unknown arm (expected one of 'control', 'short_form', found 'treatment'). "
            "Hint: use one of 'control', 'short_form'",
        ),
        (
            "2025-06-17,,5,3",
            "4:12: arm: missing value (expected one of 'control', 'short_form', found nothing). "
            "Hint: give every row its arm",
        ),
        (
            "2025-6-17,control,5,3",
            "4:1: date: not a date (expected a date like 2025-06-16, found '2025-6-17'). "
            "Hint: write the date as year-month-day, e.g. 2025-06-16",
        ),
        (
            "20250617,control,5,3",
            "4:1: date: not a date (expected a date like 2025-06-16, found '20250617'). "
            "Hint: write the date as year-month-day, e.g. 2025-06-16",
        ),
        (
            "2025-06-17T10:00,control,5,3",
            "4:1: date: not a date (expected a date like 2025-06-16, found '2025-06-17T10:00'). "
            "Hint: write the date as year-month-day, e.g. 2025-06-16",
        ),
        (
            "2025-02-30,control,5,3",
            "4:1: date: no such day (expected a date like 2025-06-16, found '2025-02-30'). "
            "Hint: check the month and the day",
        ),
        (
            ",control,5,3",
            "4:1: date: missing value (expected a date like 2025-06-16, found nothing). "
            "Hint: give every row its date",
        ),
        (
            "2025-06-17,control,5.0,3",
            "4:20: users: not a whole number (expected a whole number ≥ 0, found '5.0'). "
            "Hint: write the count in digits only, e.g. 508",
        ),
        (
            "2025-06-17,control,-5,0",
            "4:20: users: a count cannot be negative (expected a whole number ≥ 0, found '-5'). "
            "Hint: write 0 for none",
        ),
        (
            "2025-06-17,control,,3",
            "4:20: users: missing value (expected a whole number ≥ 0, found nothing). "
            "Hint: write 0 for a day without users",
        ),
        (
            "2025-06-17,control,5,",
            "4:22: conversions: missing value (expected a whole number ≥ 0, found nothing). "
            "Hint: write 0 for a day without conversions",
        ),
        (
            "2025-06-17,control,10000000000000,3",
            "4:20: users: implausibly large count (expected a whole number up to "
            "1,000,000,000,000, found '10000000000000'). Hint: check that the column holds a count",
        ),
        (
            "2025-06-17,control,5,7",
            "4:22: conversions: more conversions than users (expected at most 5 conversions, "
            "found 7 conversions of 5 users). "
            "Hint: a rate cannot be above 100%; check that the columns are not swapped",
        ),
        (
            "2025-06-17,control,5",
            "4:1: wrong number of cells (expected 4 cells, one per column of the header, "
            "found 3 cells). Hint: check for a missing or extra comma; quote a cell that holds "
            "a comma",
        ),
        (
            "2025-06-16,control,7,1",
            "4:1: duplicate row for 2025-06-16 and arm 'control' (the first is on line 2). "
            "Hint: keep one row per date and arm; delete or correct one of the two",
        ),
    ],
)
def test_proportion_cell_problem(row: str, problem: str) -> None:
    assert only_problem(csv_text(PROPORTION, *PROPORTION_ROWS, row)) == f"{PATH}:{problem}"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            "2025-06-17,control,0,5.5,1.2",
            "4:20: n: a day needs at least one observation (expected a whole number ≥ 1, "
            "found '0'). Hint: leave out the row of a day without observations",
        ),
        (
            "2025-06-17,control,,5.5,1.2",
            "4:20: n: missing value (expected a whole number ≥ 1, found nothing). "
            "Hint: leave out the row of a day without observations",
        ),
        (
            "2025-06-17,control,10,nan,1.2",
            "4:23: mean: not a finite number (expected a number like 12.5, found 'nan'). "
            "Hint: give the day's actual value",
        ),
        (
            "2025-06-17,control,10,-inf,1.2",
            "4:23: mean: not a finite number (expected a number like 12.5, found '-inf'). "
            "Hint: give the day's actual value",
        ),
        (
            "2025-06-17,control,10,1e999,1.2",
            "4:23: mean: not a finite number (expected a number like 12.5, found '1e999'). "
            "Hint: give the day's actual value",
        ),
        (
            "2025-06-17,control,10,1e300,1.2",
            "4:23: mean: implausibly large number (expected a number between "
            "-1,000,000,000,000 and 1,000,000,000,000, found '1e300'). "
            "Hint: check the unit and the decimal point",
        ),
        (
            "2025-06-17,control,10,5.5,2e12",
            "4:27: sd: implausibly large number (expected a number between "
            "-1,000,000,000,000 and 1,000,000,000,000, found '2e12'). "
            "Hint: check the unit and the decimal point",
        ),
        (
            '2025-06-17,control,10,"5,5",1.2',
            "4:23: mean: not a number (expected a number like 12.5, found '5,5'). "
            "Hint: use a point as the decimal separator, e.g. 12.5",
        ),
        (
            "2025-06-17,control,10,about 5,1.2",
            "4:23: mean: not a number (expected a number like 12.5, found 'about 5'). "
            "Hint: write a plain number, e.g. 12.5",
        ),
        (
            "2025-06-17,control,10,,1.2",
            "4:23: mean: missing value (expected a number like 12.5, found nothing). "
            "Hint: give the day's mean",
        ),
        (
            "2025-06-17,control,10,5.5,-0.1",
            "4:27: sd: a standard deviation cannot be negative (expected a number ≥ 0 like 3.2, "
            "found '-0.1'). Hint: give the standard deviation itself",
        ),
        (
            "2025-06-17,control,10,5.5,",
            "4:27: sd: missing value (expected a number ≥ 0 like 3.2, found nothing). "
            "Hint: give the day's standard deviation (0 when all values were equal)",
        ),
    ],
)
def test_mean_cell_problem(row: str, problem: str) -> None:
    assert only_problem(csv_text(MEAN, *MEAN_ROWS, row)) == f"{PATH}:{problem}"


def test_unclosed_quote_is_named_instead_of_the_cells_it_swallowed() -> None:
    text = csv_text(PROPORTION, '2025-06-16,"control,100,10', *PROPORTION_ROWS[1:], "x")
    assert only_problem(text) == (
        "data/x.csv:2:1: a quote is not closed on this line (expected each row on one line, "
        "found '2025-06-16,\"control,100,10'). Hint: close the quote; lines 2 to 5 were read as "
        "one row"
    )


def test_unclosed_quote_at_the_end_of_the_file() -> None:
    text = csv_text(PROPORTION, *PROPORTION_ROWS) + '2025-06-17,"control,1,1'
    assert only_problem(text) == (
        "data/x.csv:4:1: a quote is not closed on this line (expected each row on one line, "
        "found '2025-06-17,\"control,1,1'). Hint: close the quote or remove it"
    )


def test_a_line_the_csv_module_refuses() -> None:
    text = csv_text(PROPORTION, *PROPORTION_ROWS, "x" * 200_000)
    assert only_problem(text) == (
        "data/x.csv:4:1: this line cannot be read as CSV (expected comma-separated cells, "
        "found 'field larger than field limit (131072)'). Hint: check the quotes on this line"
    )


def test_every_problem_of_a_file_is_reported_in_line_order() -> None:
    text = (
        "date,arm,users,conversions\r\n"
        "2025-06-16,control,100,10\r\n"
        "\r\n"
        "2025-06-16,shortform,100,x\r\n"
        "2025-06-17,control,90,91\r\n"
        "2025-06-31,control,90\r\n"
        "2025-06-17,control,80,8\r\n"
    )
    assert problems_of(text) == [
        "data/x.csv:1:6: arm: no rows for arm 'short_form' (expected rows for every arm of the "
        "write-up, found nothing). "
        "Hint: check how the rows spell the arm; it must match the write-up's 'arms'",
        "data/x.csv:4:12: arm: unknown arm (expected one of 'control', 'short_form', "
        "found 'shortform'). Hint: did you mean 'short_form'?",
        "data/x.csv:4:26: conversions: not a whole number (expected a whole number ≥ 0, "
        "found 'x'). Hint: write the count in digits only, e.g. 508",
        "data/x.csv:5:23: conversions: more conversions than users (expected at most 90 "
        "conversions, found 91 conversions of 90 users). "
        "Hint: a rate cannot be above 100%; check that the columns are not swapped",
        "data/x.csv:6:1: wrong number of cells (expected 4 cells, one per column of the header, "
        "found 3 cells). "
        "Hint: check for a missing or extra comma; quote a cell that holds a comma",
        "data/x.csv:7:1: duplicate row for 2025-06-17 and arm 'control' (the first is on line 5). "
        "Hint: keep one row per date and arm; delete or correct one of the two",
    ]


def test_problems_are_capped_with_a_count_of_the_rest() -> None:
    rows = [f"2025-13-{day:02d},{arm},1,0" for day in range(1, 16) for arm in ARMS]
    problems = problems_of(csv_text(PROPORTION, *rows))
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0] == (
        "data/x.csv:2:1: date: no such day (expected a date like 2025-06-16, "
        "found '2025-13-01'). Hint: check the month and the day"
    )
    assert problems[MAX_PROBLEMS - 1].startswith("data/x.csv:21:1: date: no such day")
    assert problems[-1] == (
        "data/x.csv:22:1: and 10 more problems. "
        "Hint: fix the problems above and build again to see the rest"
    )


def test_one_problem_over_the_cap_is_shown_rather_than_counted() -> None:
    rows = ["2025-13-01,control,1,0"] * (MAX_PROBLEMS + 1)
    problems = problems_of(csv_text(PROPORTION, *rows, "2025-06-16,short_form,1,0"))
    assert len(problems) == MAX_PROBLEMS + 1
    assert "more problem" not in problems[-1]


def test_the_cap_counts_every_problem_of_a_huge_garbage_file() -> None:
    rows = ["2025-13-01,ctrl,x,-1"] * 20_000
    problems = problems_of(csv_text(PROPORTION, *rows))
    # two missing arms, then four problems a row: the 21st is the third of line 6
    assert problems[-1].startswith(f"data/x.csv:6:1: and {2 + 4 * 20_000 - MAX_PROBLEMS:,} more")


# --- trend ----------------------------------------------------------------------------------


def _rates(uc: int, xc: int, uv: int, xv: int) -> tuple[float, float, float, float]:
    p_c, p_v = xc / uc, xv / uv
    return p_c, p_v, p_c * (1 - p_c) / uc, p_v * (1 - p_v) / uv


def _means(c: np.ndarray, v: np.ndarray) -> tuple[float, float, float, float]:
    return c.mean(), v.mean(), c.var(ddof=1) / len(c), v.var(ddof=1) / len(v)


def test_proportion_trend_is_cumulative_and_its_last_lift_is_the_summed_comparison() -> None:
    data = parse(
        csv_text(
            PROPORTION,
            "2025-06-16,control,100,10",
            "2025-06-16,short_form,100,12",
            "2025-06-17,control,200,30",
            "2025-06-17,short_form,150,25",
            "2025-06-18,control,50,5",
            "2025-06-18,short_form,60,9",
        )
    )
    result = trend(data, confidence=0.9)
    assert result.kind is MetricKind.PROPORTION
    assert result.dates == (d(16), d(17), d(18))
    assert [a.arm for a in result.arms] == ["control", "short_form"]
    assert result.arms[0].values == pytest.approx((10 / 100, 40 / 300, 45 / 350))
    assert result.arms[1].values == pytest.approx((12 / 100, 37 / 250, 46 / 310))
    (lift,) = result.lifts
    assert lift.arm == "short_form"
    assert lift.dates == result.dates
    for index, (uc, xc, uv, xv) in enumerate([(100, 10, 100, 12), (300, 40, 250, 37)]):
        direct = compare_proportions(uc, xc, uv, xv, 0.9)
        assert lift.lift[index] == pytest.approx(direct.lift, rel=1e-12)
    # Every day's interval is the always-valid one, tuned to the 660 users of the last day,
    # and it is wider than the fixed-horizon interval of the final result.
    for index, counts in enumerate([(100, 10, 100, 12), (300, 40, 250, 37), (350, 45, 310, 46)]):
        expected = always_valid_reference(*_rates(*counts), sum(counts[::2]), 660, 0.1, -1.0)
        point = (lift.lift[index], lift.ci_low[index], lift.ci_high[index])
        assert point == pytest.approx(expected, rel=1e-12)
    final = compare_proportions(350, 45, 310, 46, 0.9)
    assert lift.ci_low[-1] < final.ci_low < final.ci_high < lift.ci_high[-1]


def test_proportion_trend_on_the_shipped_example_matches_the_summed_counts() -> None:
    text = (ROOT / "data/exp-2025-012.csv").read_text(encoding="utf-8")
    data = parse(text, ("control", "short_form"))
    totals = daily_frame(data).groupby("arm")[["users", "conversions"]].sum()
    control, variant = totals.loc["control"], totals.loc["short_form"]
    direct = compare_proportions(
        int(control["users"]),
        int(control["conversions"]),
        int(variant["users"]),
        int(variant["conversions"]),
    )
    (lift,) = trend(data).lifts
    n = int(control["users"] + variant["users"])
    counts = (int(control["users"]), int(control["conversions"]))
    counts += (int(variant["users"]), int(variant["conversions"]))
    expected = always_valid_reference(*_rates(*counts), n, n, 0.05, -1.0)
    assert (lift.lift[-1], lift.ci_low[-1], lift.ci_high[-1]) == pytest.approx(expected, rel=1e-12)
    assert lift.lift[-1] == pytest.approx(direct.lift, rel=1e-12)


def test_a_day_missing_for_one_arm_carries_its_values_forward() -> None:
    data = parse(
        csv_text(
            PROPORTION,
            "2025-06-16,control,100,10",
            "2025-06-16,short_form,100,12",
            "2025-06-17,control,100,20",
            "2025-06-19,short_form,100,18",
        )
    )
    result = trend(data)
    assert result.dates == (d(16), d(17), d(19))
    assert result.arms[0].values == pytest.approx((0.10, 0.15, 0.15))
    assert result.arms[1].values == pytest.approx((0.12, 0.12, 0.15))
    lift = result.lifts[0].lift
    assert lift[1] == pytest.approx(compare_proportions(200, 30, 100, 12).lift)
    assert lift[2] == pytest.approx(0.0)


def test_undefined_proportion_values_are_none_not_nan() -> None:
    data = parse(
        csv_text(
            PROPORTION,
            "2025-06-16,control,0,0",
            "2025-06-16,short_form,50,5",
            "2025-06-17,control,50,0",
            "2025-06-18,control,50,2",
        )
    )
    result = trend(data)
    assert result.arms[0].values == (None, 0.0, pytest.approx(0.02))
    lift = result.lifts[0]
    # day 1: control has no users; day 2: a control rate of 0 leaves the lift undefined
    assert lift.lift[:2] == (None, None)
    assert lift.ci_low[:2] == (None, None)
    assert lift.ci_high[:2] == (None, None)
    assert lift.lift[2] == pytest.approx(4.0)
    _assert_no_nan(result)


def _daily_rows(raw: dict[tuple[int, str], np.ndarray]) -> list[str]:
    rows = []
    for (day, arm), values in raw.items():
        sd = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        rows.append(f"2025-06-{day:02d},{arm},{len(values)},{float(values.mean())!r},{sd!r}")
    return rows


@pytest.mark.parametrize(("loc", "scale"), [(50.0, 12.0), (1e6, 1.0), (-3.0, 0.01)])
def test_mean_trend_pools_daily_summaries_exactly(loc: float, scale: float) -> None:
    rng = np.random.default_rng(20250616)
    raw = {
        (day, arm): rng.normal(loc + (0.1 * scale if arm == "short_form" else 0), scale, size)
        for day in range(16, 22)
        for arm in ARMS
        # one-observation days and a missing day (the 19th for short_form) on purpose
        if not (day == 19 and arm == "short_form")
        for size in [1 if day == 16 else int(rng.integers(2, 40))]
    }
    data = parse(csv_text(MEAN, *_daily_rows(raw)))
    result = trend(data)
    assert result.dates == tuple(d(day) for day in range(16, 22))
    pooled: dict[str, np.ndarray] = {}
    for arm_trend in result.arms:
        for index, day in enumerate(range(16, 22)):
            sample = np.concatenate(
                [raw[k] for k in sorted(raw) if k[1] == arm_trend.arm and k[0] <= day]
            )
            assert arm_trend.values[index] == pytest.approx(sample.mean(), rel=1e-12, abs=1e-12)
        pooled[arm_trend.arm] = sample
    # both arms have one observation on the first day, so no sd and no lift yet
    lift = result.lifts[0]
    assert (lift.lift[0], lift.ci_low[0], lift.ci_high[0]) == (None, None, None)
    c, v = pooled["control"], pooled["short_form"]
    expected = always_valid_reference(*_means(c, v), len(c) + len(v), len(c) + len(v), 0.05)
    assert (lift.lift[-1], lift.ci_low[-1], lift.ci_high[-1]) == pytest.approx(expected, rel=1e-9)


def test_mean_trend_sd_matches_numpy_at_every_date() -> None:
    # The sd is only visible through the interval, so pin the interval at each date against
    # the reference fed numpy's mean and sd of the raw samples so far.
    rng = np.random.default_rng(7)
    raw = {
        (day, arm): rng.normal(100.0, 15.0, int(rng.integers(2, 30)))
        for day in range(16, 20)
        for arm in ARMS
    }
    result = trend(parse(csv_text(MEAN, *_daily_rows(raw))), confidence=0.99)
    lift = result.lifts[0]
    total = sum(len(values) for values in raw.values())
    for index, day in enumerate(range(16, 20)):
        c, v = (np.concatenate([raw[(k, arm)] for k in range(16, day + 1)]) for arm in ARMS)
        expected = always_valid_reference(*_means(c, v), len(c) + len(v), total, 0.01)
        assert (lift.ci_low[index], lift.ci_high[index]) == pytest.approx(expected[1:], rel=1e-10)


def test_undefined_mean_values_are_none_not_nan() -> None:
    data = parse(
        csv_text(
            MEAN,
            "2025-06-16,short_form,5,2.0,1.0",
            "2025-06-17,control,1,0.0,0",
            "2025-06-18,control,4,0.0,0",
        )
    )
    result = trend(data)
    assert result.arms[0].values == (None, 0.0, 0.0)
    assert result.arms[1].values == (2.0, 2.0, 2.0)
    # no control, then a control of one observation, then a control mean of 0
    assert result.lifts[0].lift == (None, None, None)
    assert result.lifts[0].ci_low == (None, None, None)
    _assert_no_nan(result)


def test_trend_has_every_arm_and_a_lift_per_variant_in_arm_order() -> None:
    arms = ("control", "b", "a")
    rows = [f"2025-06-16,{arm},10,{i}" for i, arm in enumerate(arms)]
    result = trend(parse(csv_text(PROPORTION, *rows), arms))
    assert [a.arm for a in result.arms] == ["control", "b", "a"]
    assert [lift.arm for lift in result.lifts] == ["b", "a"]


def test_trend_rejects_a_confidence_outside_0_1() -> None:
    with pytest.raises(ValueError, match="confidence"):
        trend(parse(csv_text(PROPORTION, *PROPORTION_ROWS)), confidence=95)


def _assert_no_nan(result: Trend) -> None:
    numbers = [v for arm in result.arms for v in arm.values]
    for lift in result.lifts:
        numbers += [*lift.lift, *lift.ci_low, *lift.ci_high]
    assert all(v is None or (isinstance(v, float) and math.isfinite(v)) for v in numbers)


# --- properties -----------------------------------------------------------------------------

CSV_ALPHABET = st.sampled_from(
    [*"0123456789-,.\"' \t\r\n\ufeffe", "nan", "inf", "control", "short_form", "2025-06-16"]
)
HEADERS = st.sampled_from(
    [PROPORTION, MEAN, "date,arm,users", "arm,date,conversions,users", "sd,mean,n,arm,date", ""]
)


@st.composite
def csv_like(draw: st.DrawFn) -> str:
    """Text near the real format, where the interesting mistakes live."""
    body = draw(st.lists(CSV_ALPHABET, max_size=80).map("".join))
    return draw(HEADERS) + draw(st.sampled_from(["\n", "\r\n", ""])) + body


def _check_outcome(text: str) -> None:
    data, problems = read_daily(text, PATH, ARMS)
    if data is None:
        assert problems
        assert len(problems) <= MAX_PROBLEMS + 1
        assert all(p.path == PATH and p.line >= 1 and p.column >= 1 for p in problems)
    else:
        assert problems == []
        _assert_no_nan(trend(data))


@FAST
@given(st.text())
def test_read_daily_never_raises_on_any_text(text: str) -> None:
    _check_outcome(text)


@FAST
@given(csv_like())
def test_read_daily_never_raises_on_text_near_the_format(text: str) -> None:
    _check_outcome(text)


@st.composite
def valid_mean_file(draw: st.DrawFn) -> str:
    rows = []
    for day in range(1, draw(st.integers(1, 5)) + 1):
        for arm in ARMS:
            if draw(st.booleans()):
                n = draw(st.integers(1, 10**6))
                mean = draw(st.floats(-1e12, 1e12, allow_subnormal=False))
                sd = draw(st.floats(0, 1e12, allow_subnormal=False))
                rows.append(f"2025-06-{day:02d},{arm},{n},{mean!r},{sd!r}")
    rows += [f"2025-07-01,{arm},1,0,0" for arm in ARMS]
    return csv_text(MEAN, *draw(st.permutations(rows)))


@st.composite
def valid_proportion_file(draw: st.DrawFn) -> str:
    rows = []
    for day in range(1, draw(st.integers(1, 5)) + 1):
        for arm in ARMS:
            if draw(st.booleans()):
                users = draw(st.integers(0, 10**9))
                rows.append(f"2025-06-{day:02d},{arm},{users},{draw(st.integers(0, users))}")
    rows += [f"2025-07-01,{arm},0,0" for arm in ARMS]
    return csv_text(PROPORTION, *draw(st.permutations(rows)))


@FAST
@given(st.one_of(valid_mean_file(), valid_proportion_file()))
def test_any_valid_file_gives_a_trend_without_nan(text: str) -> None:
    data = parse(text)
    result = trend(data)
    assert result.dates == tuple(sorted(set(daily_frame(data)["date"])))
    assert all(len(a.values) == len(result.dates) for a in result.arms)
    _assert_no_nan(result)


def test_a_file_of_years_of_days_is_refused_once_at_the_first_day_too_many() -> None:
    start = dt.date(2020, 1, 1)
    rows = [
        f"{start + dt.timedelta(days=day)},{arm},100,10"
        for day in range(MAX_DAYS + 50)
        for arm in ARMS
    ]
    first_too_many = start + dt.timedelta(days=MAX_DAYS)
    assert only_problem(csv_text(PROPORTION, *rows)) == (
        f"{PATH}:{2 + 2 * MAX_DAYS}:1: date: more days than a test runs (expected at most "
        f"1,000 different days, found '{first_too_many}'). "
        "Hint: give the days of the test only; a test runs weeks or months"
    )
    assert parse(csv_text(PROPORTION, *rows[: 2 * MAX_DAYS])).records  # 1,000 days are fine


@settings(max_examples=60, deadline=None, database=None)
@given(
    control=st.tuples(st.integers(1, 10**6), st.floats(0.001, 0.999)),
    variant=st.tuples(st.integers(1, 10**6), st.floats(0.001, 0.999)),
    alpha=st.floats(1e-4, 0.2),
    planned=st.integers(1, 10**7),
)
def test_a_look_s_interval_excludes_no_change_exactly_when_its_p_value_is_below_alpha(
    control: tuple[int, float], variant: tuple[int, float], alpha: float, planned: int
) -> None:
    # The rule item 1 asks of every comparison holds for a running test's look as well,
    # with rho tuned at the experiment's alpha and the interval read at any other.
    (n_c, p_c), (n_v, p_v) = control, variant
    rho2 = sequential.mixture_rho2(0.05, planned)
    seen = sequential.look(
        p_c, p_v, p_c * (1 - p_c) / n_c, p_v * (1 - p_v) / n_v, n_c + n_v, alpha, rho2, -1.0
    )
    low, high = seen.interval
    assert seen.p_value is not None and low is not None and high is not None
    assert low >= -1.0 and low <= seen.lift <= high
    if abs(seen.p_value - alpha) > 1e-9 * alpha:
        assert (low > 0 or high < 0) == (seen.p_value < alpha)
