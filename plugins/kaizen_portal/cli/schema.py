"""``kaizen schema``: the front-matter as JSON Schema, for editors that check as one types."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..inputs.schema import Experiment
from .project import EXIT_OK

# Declared as draft-07, which every editor tool reads (ajv, as used by front-matter linters,
# rejects a 2020-12 schema by default); the keywords pydantic emits mean the same in both.
SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
SCHEMA_TITLE = "Kaizen portal experiment front-matter"
SCHEMA_DESCRIPTION = (
    "The YAML front-matter of one experiment write-up (experiments/<id>.md). It describes "
    "fields, types and allowed values only; the teams and metrics of site_config/, the dates "
    "each status needs and the links between cycles are checked by `kaizen check`."
)


def experiment_schema() -> dict[str, Any]:
    """The front-matter as JSON Schema for editors; ``kaizen check`` stays the authority."""
    schema = Experiment.model_json_schema()
    schema.pop("title", None)
    schema.pop("description", None)
    return {
        "$schema": SCHEMA_DIALECT,
        "title": SCHEMA_TITLE,
        "description": SCHEMA_DESCRIPTION,
        **schema,
    }


def schema_text() -> str:
    return json.dumps(experiment_schema(), indent=2, ensure_ascii=False) + "\n"


def run_schema(_args: argparse.Namespace) -> int:
    sys.stdout.write(schema_text())
    return EXIT_OK
