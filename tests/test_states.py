"""Result states and their words: what a result may be taken for, and how it reads.

A win is only a win when the test is concluded, its split is sound and it found a clear
improvement; everything else says what it is instead. These tests run the real loader and
analysis on write-ups that differ in one thing each.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from kaizen_portal.analysis.comparisons import Analysis, analyze
from kaizen_portal.analysis.insights import tally
from kaizen_portal.analysis.states import State, state_of
from kaizen_portal.build.loading import load_portfolio
from kaizen_portal.inputs.vocabulary import Status
from kaizen_portal.pages.readouts import interim_note, outcome, readout, takeaway

from helpers import VALID, front_matter, make_project, write

PRIMARY = "checkout_completion"


def variant(control: tuple[int, int], treated: tuple[int, int], **fields: Any) -> dict[str, Any]:
    """VALID with the primary metric's (users, conversions) per arm, and fields overridden."""
    data = copy.deepcopy(VALID)
    data["metrics"][0]["results"] = {
        "control": {"users": control[0], "conversions": control[1]},
        "short_form": {"users": treated[0], "conversions": treated[1]},
    }
    data.update(fields)
    return data


RUNNING = {
    "status": "running",
    "decision": None,
    "dates": {"build": "2099-03-01", "test": "2099-03-10"},
}

# One write-up per state: the numbers (or the fact) that make it so.
CASES = {
    State.WIN: variant((10_000, 812), (10_050, 960)),
    State.LOSS: variant((10_000, 812), (10_050, 700), decision="rollback"),
    State.FLAT: variant((1_000_000, 81_200), (1_000_000, 81_150), decision="iterate"),
    State.TOO_SMALL: variant((400, 32), (400, 35), decision="iterate"),
    # 10,000 against 12,000 of a 50/50 split: the sample-ratio check fails.
    State.INVALID: variant((10_000, 812), (12_000, 1_090)),
    State.INTERIM: {
        k: v
        for k, v in {**variant((10_000, 812), (10_050, 960)), **RUNNING}.items()
        if v is not None
    },
    State.UNTESTED: variant((10_000, 812), (10_050, 901), design="before_after"),
}


def analysed(tmp_path: Path, data: dict[str, Any], body: str = "") -> Analysis:
    project = make_project(tmp_path)
    write(project, "x.md", front_matter(data, body) if body else front_matter(data))
    portfolio = load_portfolio(project)
    assert portfolio.problems == (), [p.format() for p in portfolio.problems]
    [entry] = portfolio.entries
    return analyze(entry, portfolio.catalog)


def primary_state(analysis: Analysis) -> State | None:
    assert analysis.primary is not None
    return analysis.primary.variants[0].state


@pytest.mark.parametrize("state", CASES, ids=[s.value for s in CASES])
def test_each_write_up_is_in_its_state(state: State, tmp_path: Path) -> None:
    assert primary_state(analysed(tmp_path, CASES[state])) is state


def test_validity_comes_first_then_whether_the_test_is_over_then_its_verdict() -> None:
    concluded, running = Status.CONCLUDED, Status.RUNNING
    assert state_of("win", False, concluded, valid=False) is State.INVALID
    assert state_of("win", False, running, valid=False) is State.INVALID
    assert state_of("win", False, running, valid=True) is State.INTERIM
    assert state_of(None, False, concluded, valid=True) is State.UNTESTED
    assert state_of("flat", True, concluded, valid=True) is State.TOO_SMALL
    assert state_of("flat", False, concluded, valid=True) is State.FLAT
    assert state_of("loss", True, concluded, valid=True) is State.LOSS
    assert state_of("win", False, concluded, valid=True) is State.WIN


def test_only_a_concluded_valid_test_counts_towards_a_win_rate(tmp_path: Path) -> None:
    arms = []
    for state, data in CASES.items():
        analysis = analysed(tmp_path / state.value, data)
        assert analysis.primary is not None
        arms.append(analysis.primary.variants[0])
    counted = tally(arms)
    assert (counted.win, counted.loss, counted.flat) == (1, 1, 2)
    assert counted.tested == 4 and counted.total == 7
    assert dict(counted.others) == {State.INVALID: 1, State.INTERIM: 1, State.UNTESTED: 1}
    assert counted.win_rate == pytest.approx(1 / 4)


@pytest.mark.parametrize(
    ("state", "label", "note"),
    [
        (State.WIN, "Win", "a clear improvement"),
        (State.LOSS, "Loss", "clearly worse"),
        (State.FLAT, "No clear difference", "no clear difference: the interval includes no change"),
        (State.INVALID, "Not valid", "split broken: not a valid result"),
        (
            State.UNTESTED,
            "Not a test",
            "not randomized: a change measured before and after, not a test",
        ),
    ],
)
def test_each_state_says_what_it_means(state: State, label: str, note: str, tmp_path: Path) -> None:
    analysis = analysed(tmp_path, CASES[state])
    assert analysis.primary is not None
    told = readout(analysis, analysis.primary.variants[0])
    assert (told.state, told.label, told.note) == (state, label, note)
    # What is not a verdict says why; a verdict's label says it all.
    assert told.explains == (not state.final)


def test_too_small_a_test_says_what_it_could_have_seen(tmp_path: Path) -> None:
    analysis = analysed(tmp_path, CASES[State.TOO_SMALL])
    assert analysis.primary is not None
    arm = analysis.primary.variants[0]
    assert arm.comparison is not None and arm.comparison.mde is not None
    mde = round(arm.comparison.mde * 100)
    assert readout(analysis, arm).note == (
        f"too small a test to tell: it could only have detected a rise of {mde}% or more"
    )


def test_too_small_a_test_of_a_lower_is_better_metric_speaks_of_a_fall(tmp_path: Path) -> None:
    data = dict(CASES[State.TOO_SMALL], metrics=[dict(CASES[State.TOO_SMALL]["metrics"][0])])
    data["metrics"][0]["name"] = "unsubscribe_rate"
    analysis = analysed(tmp_path, data)
    assert analysis.primary is not None
    arm = analysis.primary.variants[0]
    assert arm.comparison is not None and arm.comparison.mde is not None
    assert "detected a fall of" in readout(analysis, arm).note


# --- a running test's progress -------------------------------------------------------------


def running(tmp_path: Path, plan: dict[str, Any] | None) -> Analysis:
    data = dict(CASES[State.INTERIM])
    if plan is not None:
        data["plan"] = plan
    return analysed(tmp_path, data)


@pytest.mark.parametrize(
    ("plan", "as_of", "note"),
    [
        (None, None, "running, not a final result"),
        (None, dt.date(2099, 3, 21), "running, not a final result: day 12, as of 21 Mar 2099"),
        (
            {"end": "2099-04-06", "sample": 48_000},
            dt.date(2099, 3, 21),
            "running, not a final result: day 12 of 28, as of 21 Mar 2099 · "
            "20,050 of 48,000 planned users",
        ),
        (
            {"end": "2099-03-16"},
            dt.date(2099, 3, 21),
            "running, not a final result: day 12, past the planned 7 days, as of 21 Mar 2099",
        ),
        ({"sample": 30_000}, None, "running, not a final result: 20,050 of 30,000 planned users"),
    ],
)
def test_a_running_test_says_how_far_it_has_come(
    plan: dict[str, Any] | None, as_of: dt.date | None, note: str, tmp_path: Path
) -> None:
    analysis = running(tmp_path, plan)
    assert interim_note(analysis, as_of) == note
    assert analysis.primary is not None
    told = readout(analysis, analysis.primary.variants[0], as_of)
    assert (told.label, told.note) == ("Interim", note)


def test_a_test_that_has_not_started_or_was_abandoned_says_so(tmp_path: Path) -> None:
    planned = dict(CASES[State.INTERIM], status="planned", dates={"build": "2099-03-01"})
    assert interim_note(analysed(tmp_path / "p", planned), None) == (
        "planned: the test has not started"
    )
    abandoned = dict(CASES[State.INTERIM], status="abandoned")
    assert interim_note(analysed(tmp_path / "a", abandoned), None) == (
        "abandoned before the end: not a final result"
    )


# --- the outcome: result, decision, takeaway ---------------------------------------------


@pytest.mark.parametrize(
    ("state", "decision", "note"),
    [
        (State.LOSS, "ship", "shipped although the primary result got worse"),
        (State.TOO_SMALL, "ship", "shipped although the primary result was unclear"),
        (State.FLAT, "ship", "shipped although the primary result was unclear"),
        (State.INVALID, "ship", "shipped although the result is not valid"),
        (State.WIN, "rollback", "rolled back although the primary result was a win"),
        (State.WIN, "ship", ""),
        (State.LOSS, "rollback", ""),
        (State.TOO_SMALL, "iterate", ""),
    ],
)
def test_a_decision_against_its_result_says_so(
    state: State, decision: str, note: str, tmp_path: Path
) -> None:
    analysis = analysed(tmp_path, dict(CASES[state], decision=decision))
    told = outcome(analysis, 0.95)
    assert told.state is state
    assert told.decision_note == note


def test_the_outcome_reads_the_primary_result_in_the_metric_s_unit(tmp_path: Path) -> None:
    data = dict(CASES[State.WIN], arm_labels={"short_form": "Short form"})
    told = outcome(analysed(tmp_path, data), 0.95)
    assert told.result is not None
    result = told.result
    assert (result.metric, result.arm, result.control, result.variant) == (
        "Checkout completion",
        "Short form",
        "8.12%",
        "9.55%",
    )
    # Two comparisons, the primary one tested first by Holm: its interval is shown at 97.5%.
    assert result.lift.startswith("+") and result.level == "97.5%"
    assert result.interval.startswith("[+") and result.more_arms == 0


def test_the_outcome_says_the_chance_to_beat_the_control_in_words(tmp_path: Path) -> None:
    data = dict(CASES[State.TOO_SMALL], arm_labels={"short_form": "Short form"})
    analysis = analysed(tmp_path, data)
    chance = analysis.primary.variants[0].comparison.chance_better
    assert chance is not None and 0.5 < chance < 0.99
    # Two comparisons (both metrics): the chance is said to be this one's alone.
    expected = (
        "on this comparison alone, the chance that Short form is truly better than the"
        f" control is {round(chance * 100)}%"
    )
    assert outcome(analysis, 0.95).result.chance == expected
    single = copy.deepcopy(CASES[State.WIN])
    single["metrics"] = single["metrics"][:1]
    sure = outcome(analysed(tmp_path / "w", single), 0.95).result
    assert sure.chance == "the chance that short form is truly better than the control is over 99%"
    pilot = outcome(analysed(tmp_path / "p", CASES[State.UNTESTED]), 0.95).result
    assert pilot.chance == ""  # not randomized: no posterior to claim


@pytest.mark.parametrize("state", [State.INVALID, State.INTERIM])
def test_no_chance_is_said_for_a_result_that_is_not_valid_or_not_final(
    state: State, tmp_path: Path
) -> None:
    analysis = analysed(tmp_path, CASES[state])
    assert analysis.primary.variants[0].comparison.chance_better is not None  # the table's
    assert outcome(analysis, 0.95).result.chance == ""


def test_a_running_test_s_interval_reads_as_always_valid(tmp_path: Path) -> None:
    told = outcome(analysed(tmp_path, CASES[State.INTERIM]), 0.95)
    assert told.result.level.endswith("% always-valid")
    assert told.result.readout.state is State.INTERIM


def test_a_guardrail_that_got_worse_is_worded_for_the_card(tmp_path: Path) -> None:
    data = copy.deepcopy(CASES[State.WIN])
    data["metrics"][1]["guardrail"] = True
    data["metrics"][1]["results"]["short_form"]["mean"] = 48.0
    told = outcome(analysed(tmp_path, data), 0.95)
    assert told.guardrails == ("Order value got clearly worse (\u221211.4%)",)
    assert told.state is State.WIN  # flagged beside the primary result, not instead of it


def test_the_takeaway_is_the_summary_else_the_first_learning(tmp_path: Path) -> None:
    body = (
        "## Background\n\nWhy.\n\n## Learnings\n\n"
        "- Shorter forms **finish** more often,\n  even on [phones](https://example.com).\n"
        "- A second point.\n\n## Next cycle\n\n- Not this.\n"
    )
    learned = analysed(tmp_path / "l", CASES[State.WIN], body)
    assert takeaway(learned) == "Shorter forms finish more often, even on phones."
    assert outcome(learned, 0.95).reason == "#learnings"
    summed = analysed(tmp_path / "s", dict(CASES[State.WIN], summary="Ship it."), body)
    assert takeaway(summed) == "Ship it."
    silent = analysed(tmp_path / "n", CASES[State.WIN], "## Background\n\nWhy.\n")
    assert takeaway(silent) == ""
    assert outcome(silent, 0.95).reason == "#write-up"


def test_a_tally_says_one_win_and_two_wins() -> None:
    assert [State.WIN.noun(n) for n in (1, 2)] == ["win", "wins"]
    assert [State.LOSS.noun(n) for n in (1, 0)] == ["loss", "losses"]
    assert State.INVALID.noun(1) == State.INVALID.noun(3) == "not valid"


def test_a_test_not_ended_takes_no_takeaway_from_its_learnings(tmp_path: Path) -> None:
    body = "## Learnings\n\n- From the previous cycle: fewer fields helped.\n"
    running = analysed(tmp_path / "r", CASES[State.INTERIM], body)
    assert takeaway(running) == ""
    summed = analysed(tmp_path / "s", dict(CASES[State.INTERIM], summary="Early: it helps."), body)
    assert takeaway(summed) == "Early: it helps."


def test_of_several_variants_the_best_is_the_one_an_experiment_is_known_by(
    tmp_path: Path,
) -> None:
    data = variant((10_000, 812), (10_050, 820))
    data["arms"] = ["control", "short_form", "one_field"]
    data["metrics"][0]["results"]["one_field"] = {"users": 10_020, "conversions": 990}
    data["metrics"][1]["results"]["one_field"] = {"n": 990, "mean": 54.0, "sd": 20.0}
    analysis = analysed(tmp_path, data)
    assert analysis.known_by is not None and analysis.known_by.arm == "one_field"
    assert analysis.state is State.WIN
    told = outcome(analysis, 0.95)
    assert told.result is not None and (told.result.arm, told.result.more_arms) == ("one field", 1)
