"""What a result may be taken for: the one reading every page, chart, count and export uses.

A test's verdict (win, loss, flat) is only half of it. A comparison of an experiment whose
split came out broken is not a valid result, whatever its p-value; one of an experiment
still running is an interim look, not a verdict; a flat result of a test that could only
have seen a large effect says little. Neither an invalid nor an interim result ever reads
or counts as a win or a loss.
"""

from __future__ import annotations

from enum import StrEnum

from ..inputs.vocabulary import Status
from .verdicts import Verdict


class State(StrEnum):
    """In order from worst to best, the order a table sorts them in."""

    LOSS = "loss"
    INVALID = "invalid"  # a failed validity check (the sample-ratio check)
    INTERIM = "interim"  # the experiment is not concluded: a look, not a verdict
    UNTESTED = "untested"  # a change without a test (not randomized)
    TOO_SMALL = "too_small"  # no clear difference from a test too small to see a modest one
    FLAT = "flat"  # no clear difference
    WIN = "win"

    @property
    def label(self) -> str:
        """The state in a chip, a legend or a menu."""
        return _LABELS[self]

    @property
    def final(self) -> bool:
        """Whether the state is a concluded test's reading, which tallies count."""
        return self in _FINAL

    @property
    def css(self) -> str:
        """The state as a class name and a colour's name in the stylesheet."""
        return self.value.replace("_", "-")

    def noun(self, n: int) -> str:
        """The state after a number in a tally: 1 win, 3 wins, 1 not valid."""
        return _COUNTED[self] if n != 1 else _ONE.get(self, _COUNTED[self])

    @property
    def rank(self) -> int:
        return list(State).index(self)


_LABELS = {
    State.WIN: "Win",
    State.LOSS: "Loss",
    State.FLAT: "No clear difference",
    State.TOO_SMALL: "Too small to tell",
    State.INVALID: "Not valid",
    State.INTERIM: "Interim",
    State.UNTESTED: "Not a test",
}
_COUNTED = {
    State.WIN: "wins",
    State.LOSS: "losses",
    State.FLAT: "no clear difference",
    State.TOO_SMALL: "too small to tell",
    State.INVALID: "not valid",
    State.INTERIM: "interim",
    State.UNTESTED: "not a test",
}
_ONE = {State.WIN: "win", State.LOSS: "loss"}
_FINAL = frozenset({State.WIN, State.LOSS, State.FLAT, State.TOO_SMALL})


def state_of(verdict: Verdict | None, underpowered: bool, status: Status, valid: bool) -> State:
    """A comparison's state: validity first, then whether the experiment has concluded,
    then what its test found."""
    if not valid:
        return State.INVALID
    if status is not Status.CONCLUDED:
        return State.INTERIM
    if verdict is None:
        return State.UNTESTED
    if verdict == "flat":
        return State.TOO_SMALL if underpowered else State.FLAT
    return State(verdict)
