"""The portal's words: the values a write-up may use, and where a project keeps its files.

Every stage and every template takes these from here, so a status, a phase or a folder
is spelled once. The front-matter schema (``schema``) is built from them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Literal

from markdown.extensions.toc import slugify_unicode


class _Word(StrEnum):
    @property
    def label(self) -> str:
        """The value as a badge or a menu shows it."""
        return self.value.capitalize()


# In the order of an experiment's life, which is also the order menus list them in.
class Status(_Word):
    IDEA = "idea"
    PLANNED = "planned"
    RUNNING = "running"
    CONCLUDED = "concluded"
    ABANDONED = "abandoned"


# In the order decisions are stacked and listed: most to least conclusive.
class Decision(_Word):
    SHIP = "ship"
    ITERATE = "iterate"
    ROLLBACK = "rollback"
    INCONCLUSIVE = "inconclusive"


class Design(StrEnum):
    """How the cycle was run; only a randomized test earns p-values and intervals."""

    AB_TEST = "ab_test"
    BEFORE_AFTER = "before_after"
    QUALITATIVE = "qualitative"

    @property
    def randomized(self) -> bool:
        return self is Design.AB_TEST

    @property
    def label(self) -> str:
        return _DESIGN_LABELS[self]

    @property
    def reference(self) -> str:
        """What the first arm is called: a control when randomized, else a baseline."""
        return "control" if self.randomized else "baseline"


_DESIGN_LABELS = {
    Design.AB_TEST: "Randomized A/B test",
    Design.BEFORE_AFTER: "Before/after pilot",
    Design.QUALITATIVE: "Qualitative",
}


class Visibility(_Word):
    PUBLIC = "public"
    INTERNAL = "internal"
    DRAFT = "draft"


class MetricKind(StrEnum):
    PROPORTION = "proportion"
    MEAN = "mean"
    PRECOMPUTED = "precomputed"


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


# How an experiment's many comparisons are corrected for multiple testing (portal.yml).
Correction = Literal["none", "holm", "benjamini-hochberg"]
CORRECTION_LABELS: dict[str, str] = {
    "none": "no correction",
    "holm": "Holm's method",
    "benjamini-hochberg": "the Benjamini-Hochberg method",
}


class Phase(StrEnum):
    """The dates of one build-test-learn cycle, in the order they happen.

    ``end`` is the day of the decision; the three before it start a phase that lasts
    until the next one's date.
    """

    BUILD = "build"
    TEST = "test"
    LEARN = "learn"
    END = "end"

    @property
    def label(self) -> str:
        return _PHASE_LABELS[self]


_PHASE_LABELS = {
    Phase.BUILD: "Build",
    Phase.TEST: "Test",
    Phase.LEARN: "Learn",
    Phase.END: "Decide",
}
# The phases that last from their date to the next one's: what timelines draw as bars.
SPANNING_PHASES = (Phase.BUILD, Phase.TEST, Phase.LEARN)


@dataclass(frozen=True)
class ProjectLayout:
    """Where a project keeps its inputs, relative to its folder; the defaults are the
    plugin's, the command line's and the pipeline's alike."""

    experiments_dir: str = "experiments"
    site_config_dir: str = "site_config"
    data_dir: str = "data"


DEFAULT_LAYOUT = ProjectLayout()
# Where the generated pages live in the site: /<pages_dir>/<id>/.
DEFAULT_PAGES_DIR = "experiments"


# The portal's own pages in each folder, whose names no experiment or group may take: an
# experiment with the id "index" would otherwise replace the list of all experiments.
INDEX_PAGE = "index"
PROBLEMS_PAGE = "needs-attention"
RESERVED_EXPERIMENT_SLUGS = frozenset({INDEX_PAGE, PROBLEMS_PAGE})
RESERVED_GROUP_SLUGS = frozenset({INDEX_PAGE})


@lru_cache(maxsize=100_000)  # listings slug every name of every write-up on each build
def group_slug(name: str) -> str:
    """A stable URL segment for a team, tag, owner or metric name.

    Names of symbols only slug to nothing; a digest of the name keeps their URL stable.
    """
    slug = slugify_unicode(name, "-")
    return slug or "x-" + hashlib.sha1(name.encode()).hexdigest()[:8]
