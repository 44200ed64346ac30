"""The `kaizen` command line: new write-ups, the check editors and CI read, the schema."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import frontmatter
import pytest
import yaml
from kaizen_portal import cli
from kaizen_portal.cli import new
from kaizen_portal.cli.check import github_annotation
from kaizen_portal.inputs.problems import Problem

from helpers import ROOT, VALID, front_matter, make_project, write

YEAR = dt.date.today().year
SCHEMA_FILE = ROOT / "schema" / "experiment.schema.json"
HEADINGS = ["Background", "Hypothesis", "Design", "Results", "Learnings", "Next cycle"]


def kaizen(project: Path, *args: str) -> int:
    return cli.main(["--project", str(project), *args])


def variant(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    data.update(changes)
    return data


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a folder that is no project, so no test can write into the repository."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    return make_project(tmp_path, samples=True)


# --- kaizen new ---------------------------------------------------------------------------


def test_new_writes_a_draft_idea_with_the_next_free_id_that_passes_the_check(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, f"exp-{YEAR}-007.md", front_matter(variant(id=f"EXP-{YEAR}-007")))
    write(project, f"exp-{YEAR - 1}-030.md", front_matter(variant(id=f"EXP-{YEAR - 1}-030")))
    assert (
        kaizen(
            project,
            "new",
            "Free grinder with the annual plan",
            "--team",
            "Web",
            "--owner",
            "Ana Ruiz",
        )
        == 0
    )
    path = project / "experiments" / f"exp-{YEAR}-008.md"
    assert capsys.readouterr().out.strip().endswith(f"exp-{YEAR}-008.md")
    post = frontmatter.load(path)
    assert post.metadata == {
        "id": f"EXP-{YEAR}-008",
        "title": "Free grinder with the annual plan",
        "status": "idea",
        "owner": "Ana Ruiz",
        "team": "Web",
        "tags": [],
        "design": "ab_test",
        "visibility": "draft",
    }
    text = path.read_text(encoding="utf-8")
    assert re.search(
        r"^visibility: draft +# public when ready: drafts show only in mkdocs serve$", text, re.M
    )
    assert [line[3:] for line in post.content.splitlines() if line.startswith("## ")] == HEADINGS
    assert f"kaizen new --next EXP-{YEAR}-008" in post.content
    assert kaizen(project, "check", str(path)) == 0
    assert kaizen(project, "check") == 0


def test_new_counts_ids_of_broken_files_and_starts_a_year_at_001(project: Path) -> None:
    assert kaizen(project, "new", "First", "--team", "Web", "--owner", "A") == 0
    assert (project / "experiments" / f"exp-{YEAR}-001.md").is_file()
    # Broken YAML: the loader cannot read it, but its number is taken all the same.
    write(project, "unfinished.md", f'---\nid: EXP-{YEAR}-041\ntitle: "never closed\n---\n')
    assert kaizen(project, "new", "Second", "--team", "Web", "--owner", "A") == 0
    assert (project / "experiments" / f"exp-{YEAR}-042.md").is_file()


def test_new_keeps_a_title_with_colon_and_quotes_exactly(project: Path) -> None:
    title = 'Welcome email, cycle 2: "three promises" judged on clicks # not a comment'
    assert kaizen(project, "new", title, "--team", "Email & CRM", "--owner", "O'Brien: Pat") == 0
    post = frontmatter.load(project / "experiments" / f"exp-{YEAR}-001.md")
    assert post["title"] == title
    assert post["owner"] == "O'Brien: Pat"
    assert post["team"] == "Email & CRM"


def test_new_refuses_an_unknown_team_with_a_hint(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kaizen(project, "new", "Anything", "--team", "web", "--owner", "A") == 2
    assert capsys.readouterr().err == (
        "kaizen: error: unknown team 'web' (teams are listed in site_config/teams.yml); "
        "did you mean 'Web'?\n"
    )
    assert list((project / "experiments").iterdir()) == []


def test_new_never_overwrites_a_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = front_matter(variant(id="EXP-2099-001"))
    path = write(project, "exp-2099-001.md", original)
    assert (
        kaizen(project, "new", "Other", "--team", "Web", "--owner", "A", "--id", "EXP-2099-001")
        == 1
    )
    assert (
        "already used by experiments/exp-2099-001.md; nothing was written"
        in capsys.readouterr().err
    )
    assert path.read_text(encoding="utf-8") == original


def test_new_takes_the_owner_from_git_and_asks_for_it_without(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(new, "git_user_name", lambda _folder: "Kwame Mensah")
    assert kaizen(project, "new", "From git", "--team", "Web") == 0
    assert (
        frontmatter.load(project / "experiments" / f"exp-{YEAR}-001.md")["owner"] == "Kwame Mensah"
    )
    monkeypatch.setattr(new, "git_user_name", lambda _folder: None)
    assert kaizen(project, "new", "Nobody", "--team", "Web") == 2
    assert "--owner NAME" in capsys.readouterr().err
    assert not (project / "experiments" / f"exp-{YEAR}-002.md").exists()


def test_next_cycle_carries_the_idea_over_and_passes_the_check(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kaizen(samples, "new", "--next", "exp-2025-012") == 0
    path = written(capsys)
    assert path.parent == samples / "experiments"
    post = frontmatter.load(path)
    parent = frontmatter.load(samples / "experiments" / "exp-2025-012.md")
    assert post["parent"] == "EXP-2025-012"
    assert post["title"] == "Shorter checkout form, cycle 2"
    for carried in ("team", "owner", "tags", "arms", "hypothesis", "design"):
        assert post[carried] == parent[carried], carried
    assert (post["status"], post["visibility"]) == ("idea", "draft")
    assert "metrics" not in post.metadata and "dates" not in post.metadata
    text = path.read_text(encoding="utf-8")
    block = [line[2:] for line in text.splitlines() if re.match(r"# (metrics:|  )", line)]
    assert yaml.safe_load("\n".join(block)) == {
        "metrics": [
            {
                "name": "checkout_completion",
                "primary": True,
                "results": {
                    "control": {"users": None, "conversions": None},
                    "short_form": {"users": None, "conversions": None},
                },
            },
            {
                "name": "order_value",
                "results": {
                    "control": {"n": None, "mean": None, "sd": None},
                    "short_form": {"n": None, "mean": None, "sd": None},
                },
            },
        ]
    }
    assert "#       control:    {users: , conversions: }" in text
    assert kaizen(samples, "check") == 0


def test_next_cycle_counts_the_cycles_up_the_chain(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # EXP-2026-016 is the fourth cycle of the lead follow-up idea.
    assert kaizen(samples, "new", "--next", "EXP-2026-016", "--owner", "Mei Tan") == 0
    post = frontmatter.load(written(capsys))
    assert post["title"] == "Lead follow-up, cycle 5"
    assert post["owner"] == "Mei Tan"
    assert "Cycle 5 of this idea. What cycle 4 (EXP-2026-016) learned" in post.content
    assert kaizen(samples, "check") == 0


def test_next_cycle_of_an_unknown_id_suggests_a_known_one(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kaizen(samples, "new", "--next", "EXP-2025-12") == 2
    assert capsys.readouterr().err == (
        "kaizen: error: no experiment has the id 'EXP-2025-12'; did you mean 'EXP-2025-012'?\n"
    )


def written(capsys: pytest.CaptureFixture[str]) -> Path:
    """The file `kaizen new` says it wrote (relative to the current folder, or absolute)."""
    return (Path.cwd() / capsys.readouterr().out.strip()).resolve()


# --- kaizen check -------------------------------------------------------------------------

# One representative mistake per stage: the schema, the catalog, and the links between files.
BROKEN = {
    "exp-2099-001.md": """\
---
id: EXP-2099-001
title: Shorter checkout form
status: shiped
owner: Ana Ruiz
team: Web
hypotesis: Removing the company field raises checkout completion.
---
""",
    "exp-2099-002.md": """\
---
id: EXP-2099-002
title: One-page checkout
status: running
owner: Ana Ruiz
team: Web
hypothesis: One page beats three.
dates: {test: 2099-03-10}
arms: [control, one_page]
metrics:
  - name: checkout_completion
    results:
      control:  {users: 1000, conversions: 812}
      one_page: {users: 1000, conversions: 1200}
---
""",
    "exp-2099-003.md": """\
---
id: EXP-2099-003
title: Free grinder
status: running
owner: Ana Ruiz
team: Web
hypothesis: A free grinder raises completion.
dates: {test: 2099-03-10}
arms: [control, grinder]
metrics:
  - name: checkout_complete
    results:
      control: {users: 1000, conversions: 812}
      grinder: {users: 1000, conversions: 850}
---
""",
    "exp-2099-004.md": """\
---
id: EXP-2099-004
title: Second bag
status: idea
owner: Ana Ruiz
team: Web
parent: EXP-2099-0002
---
""",
}
EXPECTED = [
    "experiments/exp-2099-001.md:4:1: status: wrong value (expected one of 'idea', 'planned', 'running', 'concluded' or 'abandoned', found 'shiped'). Hint: use one of 'abandoned', 'concluded', 'idea', 'planned', 'running'",
    "experiments/exp-2099-001.md:7:1: hypotesis: unknown field (expected a known field, found 'hypotesis'). Hint: did you mean 'hypothesis'?",
    "experiments/exp-2099-002.md:14:7: metrics[0].results.one_page: conversions (1200) exceed users (1000); a rate cannot be above 100%",
    "experiments/exp-2099-003.md:11:5: metrics[0].name: unknown metric (expected a metric from site_config/metrics.yml, found 'checkout_complete'). Hint: did you mean 'checkout_completion'?",
    "experiments/exp-2099-004.md:7:1: parent: the parent experiment does not exist (expected the id of an experiment in the experiments folder, found 'EXP-2099-0002'). Hint: did you mean 'EXP-2099-002'?",
]


@pytest.fixture
def broken(project: Path) -> Path:
    for name, text in BROKEN.items():
        write(project, name, text)
    return project


def test_check_prints_every_problem_on_its_own_sorted_line(
    broken: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert kaizen(broken, "check") == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == EXPECTED
    assert err == "5 problems in 4 of 4 files\n"


def test_check_of_a_clean_portfolio_exits_0(
    samples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kaizen(samples, "check") == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert re.fullmatch(r"\d+ experiment files checked, no problems\n", err)


def test_check_with_paths_reports_only_those_files(
    broken: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(broken)
    assert (
        kaizen(broken, "check", "experiments/exp-2099-004.md", "experiments/exp-2099-002.md") == 1
    )
    out, err = capsys.readouterr()
    assert out.splitlines() == [EXPECTED[2], EXPECTED[4]]
    assert err == "2 problems in 2 of 2 files\n"
    write(broken, "exp-2099-005.md", front_matter(variant(id="EXP-2099-005")))
    assert kaizen(broken, "check", "experiments/exp-2099-005.md") == 0
    assert capsys.readouterr() == ("", "1 experiment file checked, no problems\n")
    assert kaizen(broken, "check", "experiments") == 1
    assert capsys.readouterr().out.splitlines() == EXPECTED


def test_check_of_one_file_still_sees_an_id_taken_by_another(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project, "a-first.md", front_matter(VALID))
    write(project, "b-broken.md", "no front-matter here\n")
    clash = write(project, "exp-2099-001.md", front_matter(variant(title="A copy")))
    assert kaizen(project, "check", str(clash)) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("experiments/exp-2099-001.md:2:1: id: ")
    assert "experiments/a-first.md" in line
    assert kaizen(project, "check", str(project / "experiments" / "a-first.md")) == 0


def test_check_in_github_actions_adds_escaped_annotations(
    broken: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert kaizen(broken, "check", str(broken / "experiments" / "exp-2099-002.md")) == 1
    assert capsys.readouterr().out.splitlines() == [
        EXPECTED[2],
        "::error file=experiments/exp-2099-002.md,line=14,col=7,title=metrics[0].results.one_page"
        "::conversions (1200) exceed users (1000); a rate cannot be above 100%25",
    ]


def test_github_annotation_escapes_data_and_properties() -> None:
    problem = Problem("experiments/a,b:c.md", 3, 5, "x:y,z", "one, two: three\r\nfour 5%")
    assert github_annotation(problem) == (
        "::error file=experiments/a%2Cb%3Ac.md,line=3,col=5,title=x%3Ay%2Cz"
        "::one, two: three%0D%0Afour 5%25"
    )
    untitled = Problem("experiments/a.md", 1, 1, "", "no front-matter found", hint="copy it")
    assert github_annotation(untitled) == (
        "::error file=experiments/a.md,line=1,col=1::no front-matter found. Hint: copy it"
    )


def test_check_exit_2_when_it_cannot_run(
    tmp_path: Path, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert kaizen(tmp_path / "nowhere", "check") == 2
    assert capsys.readouterr().err.startswith("kaizen: error: no project folder at ")
    assert kaizen(tmp_path, "check") == 2
    assert "no experiments/ folder in" in capsys.readouterr().err
    assert kaizen(project, "check", "experiments/missing.md") == 2
    assert (
        capsys.readouterr().err == "kaizen: error: no such file or folder: experiments/missing.md\n"
    )
    assert kaizen(project, "check", "--strict") == 2
    assert "unrecognized arguments: --strict" in capsys.readouterr().err
    assert cli.main([]) == 2


def test_check_reads_the_folders_from_mkdocs_yml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path)
    (project / "experiments").rename(project / "write-ups")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(
        config.replace("experiments_dir: experiments", "experiments_dir: write-ups"),
        encoding="utf-8",
    )
    (project / "write-ups" / "exp-2099-001.md").write_text(
        front_matter(variant(team="web")), encoding="utf-8"
    )
    assert cli.main(["check", "--project", str(project)]) == 1
    assert capsys.readouterr().out.startswith("write-ups/exp-2099-001.md:")


def test_check_runs_as_a_module_without_mkdocs_plotly_or_pages(broken: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "GITHUB_ACTIONS": "false"}
    result = subprocess.run(
        [sys.executable, "-m", "kaizen_portal.cli", "check"],
        cwd=broken,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (result.returncode, result.stdout.splitlines()) == (1, EXPECTED)
    probe = (
        "import sys; from kaizen_portal.cli import main; main(['check']); "
        "print(sorted(m for m in ('mkdocs', 'plotly', 'jinja2', 'pandas', 'scipy', 'kaizen_portal.pages', "
        "'kaizen_portal.analysis.comparisons', 'kaizen_portal.charts') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=broken,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.stdout.splitlines()[-1] == "[]"


def test_the_console_script_is_declared() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"] == {"kaizen": "kaizen_portal.cli:main"}


# --- kaizen schema ------------------------------------------------------------------------


def test_shipped_schema_is_the_generated_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert SCHEMA_FILE.read_text(encoding="utf-8") == printed, (
        "run: kaizen schema > schema/experiment.schema.json"
    )
    schema = json.loads(printed)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["title"] and schema["description"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"id", "title", "status", "owner", "team"}


# The keywords the generated schema uses, each checked by the small validator below; a new
# keyword fails the test instead of being silently ignored. (jsonschema is not a dependency.)
ANNOTATIONS = {"$schema", "title", "description", "default", "format"}
TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
    "object": dict,
    "array": list,
}


def schema_errors(
    schema: dict[str, Any], value: Any, root: dict[str, Any], at: str = ""
) -> list[str]:
    if "$ref" in schema:
        return schema_errors(
            root["$defs"][schema["$ref"].removeprefix("#/$defs/")], value, root, at
        )
    errors: list[str] = []
    kind = schema.get("type")
    if kind and (
        not isinstance(value, TYPES[kind]) or (isinstance(value, bool) and kind not in ("boolean",))
    ):
        return [f"{at}: not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{at}: not one of {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{at}: does not match {schema['pattern']}")
        if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", 10**9):
            errors.append(f"{at}: wrong length")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < schema.get("minimum", -(10**18)) or value > schema.get("maximum", 10**18):
            errors.append(f"{at}: out of range")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            errors.append(f"{at}: out of range")
    if isinstance(value, dict):
        errors += [f"{at}.{k}: required" for k in schema.get("required", []) if k not in value]
        if len(value) < schema.get("minProperties", 0):
            errors.append(f"{at}: too few entries")
        for key, item in value.items():
            patterns = [
                s for p, s in schema.get("patternProperties", {}).items() if re.search(p, key)
            ]
            if key in schema.get("properties", {}):
                errors += schema_errors(schema["properties"][key], item, root, f"{at}.{key}")
            elif patterns:
                errors += [e for s in patterns for e in schema_errors(s, item, root, f"{at}.{key}")]
            elif schema.get("additionalProperties") is False:
                errors.append(f"{at}.{key}: not allowed")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += schema_errors(schema["items"], item, root, f"{at}[{index}]")
    if "anyOf" in schema and all(schema_errors(s, value, root, at) for s in schema["anyOf"]):
        errors.append(f"{at}: matches none of anyOf")
    if (
        "oneOf" in schema
        and sum(not schema_errors(s, value, root, at) for s in schema["oneOf"]) != 1
    ):
        errors.append(f"{at}: does not match exactly one of oneOf")
    return errors


def keywords(schema: Any) -> set[str]:
    if isinstance(schema, list):
        return set().union(*(keywords(item) for item in schema))
    if not isinstance(schema, dict):
        return set()
    found = set(schema)
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "$defs"):
            found |= set().union(*(keywords(v) for v in value.values()))
        elif key not in ("enum", "default", "required"):
            found |= keywords(value)
    return found


def test_sample_front_matter_validates_against_the_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    checked = {"$ref", "type", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum"}
    checked |= {"exclusiveMinimum", "required", "minProperties", "properties"}
    checked |= {"patternProperties", "additionalProperties", "items", "anyOf", "oneOf", "$defs"}
    assert keywords(schema) <= checked | ANNOTATIONS
    samples = sorted((ROOT / "experiments").glob("*.md"))
    assert len(samples) >= 15
    for path in samples:
        # As an editor sees it: YAML dates are strings in JSON.
        data = json.loads(json.dumps(frontmatter.load(path).metadata, default=str))
        assert schema_errors(schema, data, schema) == [], path.name


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"status": "shipped"}, ".status: not one of"),
        ({"hypotesis": "typo"}, ".hypotesis: not allowed"),
        ({"tags": ["Annual-Plan"]}, ".tags[0]: does not match"),
        ({"dates": {"test": "2099-03-10", "start": "2099-03-01"}}, ".dates.start: not allowed"),
        ({"owner": 7}, ".owner: not string"),
    ],
)
def test_schema_rejects_what_the_check_rejects(change: dict[str, Any], error: str) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    data = json.loads(json.dumps(variant(**change), default=str))
    assert any(e.startswith(error) for e in schema_errors(schema, data, schema))
