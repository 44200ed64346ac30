"""How a result reads to people: its state in words, what it means, and the line an
experiment is known by. Every page, feed and export words a result through here.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import markdown
import markupsafe

from ..analysis import formatting
from ..analysis.comparisons import Analysis, ArmResult
from ..analysis.insights import primary_arm
from ..analysis.states import State
from ..inputs.schema import Experiment
from ..inputs.vocabulary import Decision, Direction, MetricKind, Status


@dataclass(frozen=True)
class Readout:
    """One comparison as a reader meets it."""

    state: State
    label: str  # the state in a chip: "Win", "No clear difference", "Not valid"...
    note: str  # what it means for this result: "split broken: not a valid result"

    @property
    def css(self) -> str:
        return self.state.css

    @property
    def explains(self) -> bool:
        """Whether the note says more than the label: why a result is not a verdict."""
        return self.state in _EXPLAINED


_EXPLAINED = frozenset({State.TOO_SMALL, State.INVALID, State.INTERIM, State.UNTESTED})


def readout(analysis: Analysis, arm: ArmResult, as_of: dt.date | None = None) -> Readout:
    """``as_of``: the day a running test's progress is counted to, when it is known."""
    state = arm.state or State.UNTESTED
    return Readout(state, state.label, _note(analysis, arm, state, as_of))


def _note(analysis: Analysis, arm: ArmResult, state: State, as_of: dt.date | None) -> str:
    if state is State.INVALID:
        return "split broken: not a valid result"
    if state is State.INTERIM:
        return interim_note(analysis, as_of)
    if state is State.UNTESTED:
        if not analysis.entry.meta.design.randomized:
            return "not randomized: a change measured before and after, not a test"
        c = arm.comparison
        return c.untestable if c and c.untestable else "nothing to test: no interval or p-value"
    if state is State.TOO_SMALL:
        return _too_small(analysis, arm)
    if state is State.FLAT:
        return "no clear difference: the interval includes no change"
    return "a clear improvement" if state is State.WIN else "clearly worse"


def _too_small(analysis: Analysis, arm: ArmResult) -> str:
    """The change the test could have seen, the good way: a rise, or a fall when lower is
    better; none at all when no reachable value was far enough."""
    mde = arm.comparison.mde if arm.comparison else None
    if mde is None or mde == float("inf"):
        return "too small a test to tell: it could not have detected any change"
    metric = next((m for m in analysis.metrics if arm in m.arms), None)
    lower = metric is not None and metric.definition.direction is Direction.LOWER
    change = "fall" if lower else "rise"
    size = formatting.percent(mde, 0)
    return f"too small a test to tell: it could only have detected a {change} of {size} or more"


def interim_note(analysis: Analysis, as_of: dt.date | None) -> str:
    """``running, not a final result: day 12 of 28 · 13,854 of 48,000 planned users``."""
    exp = analysis.entry.meta
    if exp.status is Status.ABANDONED:
        return "abandoned before the end: not a final result"
    if exp.status in (Status.IDEA, Status.PLANNED) or exp.dates.test is None:
        return f"{exp.status.value}: the test has not started"
    parts = [part for part in (_days(exp, analysis, as_of), _sample(exp, analysis)) if part]
    progress = f": {' · '.join(parts)}" if parts else ""
    return f"{exp.status.value}, not a final result{progress}"


def _days(exp: Experiment, analysis: Analysis, as_of: dt.date | None) -> str:
    """Day N of the planned M, counted to the latest daily data, else the build's date."""
    start, end = exp.dates.test, exp.plan.end if exp.plan else None
    latest = analysis.trend.dates[-1] if analysis.trend and analysis.trend.dates else as_of
    if start is None or latest is None:
        return ""
    day = max(1, (latest - start).days + 1)
    when = f"as of {formatting.date(latest)}"
    if end is None:
        return f"day {day}, {when}"
    planned = (end - start).days + 1
    if day > planned:
        return f"day {day}, past the planned {planned} days, {when}"
    return f"day {day} of {planned}, {when}"


def _sample(exp: Experiment, analysis: Analysis) -> str:
    planned = exp.plan.sample if exp.plan else None
    primary = analysis.primary
    if planned is None or primary is None:
        return ""
    reached = sum(arm.sample or 0 for arm in primary.arms)
    unit = "users" if primary.definition.kind is MetricKind.PROPORTION else "observations"
    return f"{reached:,} of {planned:,} planned {unit}"


# --- the line an experiment is known by -------------------------------------------------


@dataclass(frozen=True)
class PrimaryResult:
    metric: str  # the primary metric's label
    arm: str  # the first variant, as it reads
    control: str  # the control's value, in the metric's unit
    variant: str
    lift: str  # signed, relative to the control
    interval: str  # the interval of the lift, or "" when there is none
    level: str  # the interval's confidence: "95%"
    readout: Readout
    more_arms: int  # other variants of the primary metric, shown on the page
    reported: bool = False  # numbers copied from another tool, not computed here
    chance: str = ""  # "the chance that Free shipping is truly better than the control is 97%"


@dataclass(frozen=True)
class Outcome:
    """What a reader should take away in five seconds: the primary result, the decision,
    whether the two agree, and the takeaway in one sentence."""

    result: PrimaryResult | None
    decision: Decision | None
    against: str  # "although the primary result was unclear", where the decision goes against it
    reason: str  # where the write-up says why: its Learnings, else its start
    takeaway: str  # plain text
    progress: str = ""  # how far a test without results yet has come: "running, …: day 12"
    guardrails: tuple[str, ...] = ()  # "Checkout completion got clearly worse (-4.2%)"

    @property
    def state(self) -> State | None:
        return self.result.readout.state if self.result else None

    @property
    def decision_note(self) -> str:
        """``shipped although the primary result was unclear``, or empty."""
        if not (self.against and self.decision):
            return ""
        return f"{_DONE[self.decision]} {self.against}"


def outcome(analysis: Analysis, confidence: float, as_of: dt.date | None = None) -> Outcome:
    exp = analysis.entry.meta
    arm = primary_arm(analysis)
    result = _primary_result(analysis, arm, confidence, as_of) if arm else None
    state = result.readout.state if result else None
    reason = "#learnings" if _LEARNINGS.search(analysis.entry.body) else "#write-up"
    against = _AGAINST.get((exp.decision, state), "") if exp.decision and state else ""
    progress = ""
    if result is None and exp.status in (Status.PLANNED, Status.RUNNING):
        progress = interim_note(analysis, as_of)
    return Outcome(
        result,
        exp.decision,
        against,
        reason,
        takeaway(analysis),
        progress,
        guardrail_words(analysis),
    )


def guardrail_words(analysis: Analysis) -> tuple[str, ...]:
    """Each guardrail that got clearly worse, with the variant where there are several."""
    exp = analysis.entry.meta
    words = []
    for metric, arm in analysis.breached:
        lift = formatting.signed_percent(arm.comparison.lift if arm.comparison else None)
        which = f" with {exp.arm_label(arm.arm)}" if len(metric.variants) > 1 else ""
        words.append(f"{metric.definition.label} got clearly worse{which} ({lift})")
    return tuple(words)


def _primary_result(
    analysis: Analysis, arm: ArmResult, confidence: float, as_of: dt.date | None
) -> PrimaryResult:
    primary = analysis.primary
    assert primary is not None and arm.comparison is not None
    c, definition = arm.comparison, primary.definition
    interval = formatting.interval(c.ci_low, c.ci_high)
    control, variant = formatting.metric_values((primary.arms[0].value, arm.value), definition)
    return PrimaryResult(
        metric=definition.label,
        arm=analysis.entry.meta.arm_label(arm.arm),
        control=control,
        variant=variant,
        lift=formatting.signed_percent(c.lift),
        interval="" if interval == formatting.NO_VALUE else interval,
        level=formatting.interval_level(c, confidence),
        readout=readout(analysis, arm, as_of),
        more_arms=len(primary.variants) - 1,
        reported=primary.reported,
        chance=chance_words(analysis, arm),
    )


def chance_words(analysis: Analysis, arm: ArmResult) -> str:
    """The chance to beat the control in plain words, or empty where none was computed.

    It is not corrected for the experiment's other comparisons, so with several it says
    so: a 99% chance beside "too small to tell" must not read as the stronger claim. A
    split that is not valid gives no chance worth saying, and a running test's chance is
    a fixed-horizon figure, not safe to read at every look: the table alone shows those.
    """
    c = arm.comparison
    if c is None or c.chance_better is None or arm.state in (State.INVALID, State.INTERIM):
        return ""
    exp = analysis.entry.meta
    size = formatting.chance(c.chance_better).replace("> ", "over ").replace("< ", "under ")
    tested = sum(
        1 for m in analysis.metrics for a in m.variants if a.comparison and a.comparison.p_value
    )
    alone = "on this comparison alone, " if tested > 1 else ""
    return (
        f"{alone}the chance that {exp.arm_label(arm.arm)} is truly better than the"
        f" {exp.design.reference} is {size}"
    )


# A decision that goes against what the primary result says, in the reader's words.
_AGAINST = {
    (Decision.SHIP, State.LOSS): "although the primary result got worse",
    (Decision.SHIP, State.FLAT): "although the primary result was unclear",
    (Decision.SHIP, State.TOO_SMALL): "although the primary result was unclear",
    (Decision.SHIP, State.INVALID): "although the result is not valid",
    (Decision.ROLLBACK, State.WIN): "although the primary result was a win",
}
_DONE = {Decision.SHIP: "shipped", Decision.ROLLBACK: "rolled back"}


_LEARNINGS = re.compile(r"^#{2,3}[ \t]+Learnings[ \t]*#*[ \t]*$", re.IGNORECASE | re.MULTILINE)
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|[0-9]+[.)])[ \t]+(.+(?:\n[ \t]+\S.*)*)", re.MULTILINE)


def takeaway(analysis: Analysis) -> str:
    """The write-up's own one-sentence takeaway: ``summary``, else the first item under
    its "Learnings" heading, as plain text; empty when it has neither. A test that has not
    ended has learnt nothing yet: what its Learnings hold is from the cycles before it."""
    exp = analysis.entry.meta
    if exp.summary or exp.status not in (Status.CONCLUDED, Status.ABANDONED):
        return exp.summary or ""
    return _first_learning(analysis.entry.body)


@functools.lru_cache(maxsize=8192)  # pages and listings ask for it again and again
def _first_learning(body: str) -> str:
    heading = _LEARNINGS.search(body)
    if heading is None:
        return ""
    item = _ITEM.search(body[heading.end() :].split("\n#", 1)[0])
    if item is None:
        return ""
    # Markdown's own reading of the item, stripped of its tags: plain text, escaped later.
    html = _MARKDOWN.reset().convert(" ".join(item.group(1).split()))
    return markupsafe.Markup(html).striptags()


_MARKDOWN = markdown.Markdown()
