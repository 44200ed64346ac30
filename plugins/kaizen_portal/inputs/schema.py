"""The front-matter schema: what a write-up may say, as pydantic models.

The models check types and local sanity (a count is a whole number, conversions do not
exceed users). Rules that need the metric catalog or other experiments live in
``rules``, so this module stays a plain description of the file format and can be
exported as a JSON Schema for editors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from .vocabulary import (
    Decision,
    Design,
    MetricKind,
    Phase,
    Status,
    Visibility,
)

ID_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$"
NAME_PATTERN = r"^[a-z0-9][a-z0-9_]{0,62}$"
TAG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"

# How each pattern reads in an error message.
PATTERN_WORDS = {
    ID_PATTERN: "an id of letters, digits and '-' (e.g. EXP-2025-014)",
    NAME_PATTERN: "a lowercase name of letters, digits and '_' (e.g. short_form)",
    TAG_PATTERN: "a lowercase tag of letters, digits and '-' (e.g. subject-lines)",
}

ExperimentId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
TagName = Annotated[str, StringConstraints(pattern=TAG_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
# Counts beyond this are typos or overflow bait; it keeps sums of many days inside int64.
MAX_COUNT = 10**12
# Dates outside these are typos (a year 1, a 9999): every timeline and month count of the
# portfolio would stretch to them.
EARLIEST_DATE = dt.date(1970, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
Day = Annotated[dt.date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT, strict=False)]
# Means, values and intervals beyond this are typos; their squares would overflow a float.
MAX_MAGNITUDE = 1e12
FiniteFloat = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE, allow_inf_nan=False)]


class StrictModel(BaseModel):
    """Unknown keys are errors: a typo must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# The fields are the members of ``Phase``, in their order; ``rules`` checks the dates' order.
class Phases(StrictModel):
    """The dates of one build-test-learn cycle, each on or after the one before."""

    build: Day | None = None
    test: Day | None = None
    learn: Day | None = None
    end: Day | None = None

    def of(self, phase: Phase) -> dt.date | None:
        return getattr(self, phase.value)

    def dated(self) -> Iterator[tuple[Phase, dt.date]]:
        """The phases that have a date, in order."""
        for phase in Phase:
            if (day := self.of(phase)) is not None:
                yield phase, day

    # Spelled out in Phase's order rather than through dated(): listings sort thousands
    # of experiments by these on every build.
    @property
    def first(self) -> dt.date | None:
        """The first phase's date: when the cycle began, as far as anyone wrote down."""
        return self.build or self.test or self.learn or self.end

    @property
    def latest(self) -> dt.date | None:
        """The last phase's date: the decision, or the furthest phase reached."""
        return self.end or self.learn or self.test or self.build


class ProportionArm(StrictModel):
    kind: ClassVar[MetricKind] = MetricKind.PROPORTION
    users: Annotated[int, Field(ge=1, le=MAX_COUNT)]
    conversions: Count

    @property
    def estimate(self) -> float:
        return self.conversions / self.users

    @property
    def sample(self) -> int:
        return self.users

    @model_validator(mode="after")
    def _conversions_within_users(self) -> ProportionArm:
        if self.conversions > self.users:
            raise ValueError(
                f"conversions ({self.conversions}) exceed users ({self.users}); "
                "a rate cannot be above 100%"
            )
        return self


class MeanArm(StrictModel):
    kind: ClassVar[MetricKind] = MetricKind.MEAN
    n: Annotated[int, Field(ge=2, le=MAX_COUNT)]  # a standard deviation needs two values
    mean: FiniteFloat
    sd: Annotated[float, Field(ge=0, le=MAX_MAGNITUDE, allow_inf_nan=False)]

    @property
    def estimate(self) -> float:
        return self.mean

    @property
    def sample(self) -> int:
        return self.n


class PrecomputedArm(StrictModel):
    """Numbers reported by another tool (e.g. an ad platform), shown as the author gave them."""

    kind: ClassVar[MetricKind] = MetricKind.PRECOMPUTED
    value: FiniteFloat
    lift: FiniteFloat | None = None
    ci_low: FiniteFloat | None = None
    ci_high: FiniteFloat | None = None
    p_value: Annotated[float, Field(ge=0, le=1)] | None = None

    @model_validator(mode="after")
    def _interval_in_order(self) -> PrecomputedArm:
        if self.ci_low is not None and self.ci_high is not None and self.ci_low > self.ci_high:
            raise ValueError(f"ci_low ({self.ci_low}) is above ci_high ({self.ci_high})")
        return self

    @property
    def estimate(self) -> float:
        return self.value

    @property
    def sample(self) -> None:
        """Another tool's sample size is not known here."""
        return None


Arm = ProportionArm | MeanArm | PrecomputedArm
# The numbers an arm gives for each kind of metric: the one list of their field names.
ARM_MODELS: dict[MetricKind, type[Arm]] = {
    MetricKind.PROPORTION: ProportionArm,
    MetricKind.MEAN: MeanArm,
    MetricKind.PRECOMPUTED: PrecomputedArm,
}


def arm_fields(kind: MetricKind) -> tuple[str, ...]:
    return tuple(ARM_MODELS[kind].model_fields)


def arm_fields_text(kind: MetricKind, optional: str = "and optionally") -> str:
    """``users and conversions``; ``value (and optionally lift, ci_low, ...)``."""
    fields = ARM_MODELS[kind].model_fields
    required = [name for name, info in fields.items() if info.is_required()]
    rest = [name for name, info in fields.items() if not info.is_required()]
    text = _and(required)
    return f"{text} ({optional} {', '.join(rest)})" if rest else text


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _arm_kind(value: Any) -> str | None:
    """Pick the arm model from the keys given, so errors speak of the right fields."""
    if not isinstance(value, dict):
        return None
    keys = set(value)
    return next((kind.value for kind in ARM_MODELS if keys & set(arm_fields(kind))), None)


ArmNumbers = Annotated[
    Annotated[ProportionArm, Tag(MetricKind.PROPORTION.value)]
    | Annotated[MeanArm, Tag(MetricKind.MEAN.value)]
    | Annotated[PrecomputedArm, Tag(MetricKind.PRECOMPUTED.value)],
    Discriminator(
        _arm_kind,
        custom_error_type="arm_numbers",
        custom_error_message="expected the numbers of one arm: "
        + ", or ".join(arm_fields_text(kind, "with optional") for kind in ARM_MODELS),
    ),
]


class MetricResults(StrictModel):
    name: Name
    primary: bool = False
    guardrail: bool = False  # watched for harm: flagged wherever it got clearly worse
    results: Annotated[dict[Name, ArmNumbers], Field(min_length=1)]


class Plan(StrictModel):
    """How long and how large the test is meant to be, so a running one shows its progress."""

    end: Day | None = None
    sample: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = None  # users (or n), all arms


class Experiment(StrictModel):
    """The front-matter of one write-up."""

    id: ExperimentId
    title: ShortText
    status: Status
    decision: Decision | None = None
    owner: ShortText
    team: ShortText
    tags: list[TagName] = []
    hypothesis: Text | None = None
    summary: Sentence | None = None  # the takeaway, in one sentence
    design: Design = Design.AB_TEST
    parent: ExperimentId | None = None
    dates: Phases = Phases()
    arms: list[Name] = []
    arm_labels: dict[Name, ShortText] = {}
    split: list[Annotated[float, Field(gt=0, le=MAX_MAGNITUDE, allow_inf_nan=False)]] | None = None
    metrics: list[MetricResults] = []
    data: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    plan: Plan | None = None
    visibility: Visibility = Visibility.PUBLIC

    @property
    def slug(self) -> str:
        """The URL segment: ids are case-insensitive so links survive a renamed file."""
        return self.id.lower()

    def arm_label(self, arm: str) -> str:
        """How the arm reads on the page: its label, else its name with spaces."""
        return self.arm_labels.get(arm) or arm.replace("_", " ")

    @property
    def primary_metric(self) -> MetricResults | None:
        """The metric flagged primary, else the first one listed."""
        return next(
            (m for m in self.metrics if m.primary), self.metrics[0] if self.metrics else None
        )
