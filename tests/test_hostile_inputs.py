"""Hostile input, round two: strings that try to leave their HTML block, files that lead
out of the project, files too big or not files at all, leaks to a public build, and
templates that reach for the file system.

The cases that are one broken file each live in tests/corpus/ (test_hostile.py); these
need what a folder of files cannot hold: links, pipes, sparse files, environment
variables, a build for a given audience, or a browser.
"""

from __future__ import annotations

import copy
import html
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import markupsafe
import pytest
from browsing import draw_all_charts, free_port, serve
from kaizen_portal.build.loading import load_portfolio
from kaizen_portal.build.memo import Memo
from kaizen_portal.build.pipeline import Inputs, build
from kaizen_portal.cli import main
from kaizen_portal.inputs.problems import printable
from kaizen_portal.inputs.vocabulary import Visibility
from kaizen_portal.pages.links import PageOptions
from kaizen_portal.pages.rendering import TemplateFailure, as_html
from test_hostile import CASES, corpus_project

from helpers import VALID, front_matter, make_project, mkdocs_build, write


def injection(where: str) -> str:
    """Text, a blank line, then Markdown that would become an image running a script."""
    return f"Plain words.\n\n![p](x.png){{: onerror=alert('{where}') }}"


def check(project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["--project", str(project), "check"])
    return code, capsys.readouterr().out.splitlines()


# --- strings that try to leave their block ---------------------------------------------


def test_values_keep_their_line_breaks_as_character_references() -> None:
    assert as_html("a\n\nb\r<c>") == markupsafe.Markup("a&#10;&#10;b&#13;&lt;c&gt;")
    ours = markupsafe.Markup("<p>\n\n</p>")
    assert as_html(ours) is ours  # the portal's own HTML keeps its layout


class Handlers(HTMLParser):
    """Every event-handler attribute and every image of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.handlers: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]
        if tag == "img":
            self.images += [value or "" for name, value in attrs if name == "src"]


# A heading id with quotes reaches the theme's table of contents, which prints it as it
# is; an element named like plotly.js would stand in for it; the theme's classes would
# forge its dialog.
WRITE_UP = (
    '## Results {: id=\'r" style="animation:pulse 1s infinite" '
    "onanimationstart=\"alert(document.domain)' }\n\nText.\n\n"
    '<a href="#" id="Plotly" class="md-dialog md-dialog--active">Verified</a>\n'
)
THEME_BREAKOUT = "</title>\"><img src=x.png onerror=alert('theme')>"
FIELDS = ("title", "owner", "team", "hypothesis", "label", "description", "about", "site")


@pytest.fixture(scope="module")
def blank_line_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every string of every input file that reaches a page, carrying `injection`."""
    tmp = tmp_path_factory.mktemp("blank-lines")
    project = make_project(tmp)
    (project / "docs" / "index.md").unlink()  # the generated home page shows the site name
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(
        "site_name: Hearthside Experiments",
        # The theme prints these into <title>, the header and a <meta> attribute.
        f"site_name: {json.dumps(injection('site') + THEME_BREAKOUT)}\n"
        f"site_description: {json.dumps(THEME_BREAKOUT)}\nsite_author: {json.dumps(THEME_BREAKOUT)}",
    )
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    team = injection("team")
    teams = {team: {"description": injection("about")}}
    (project / "site_config" / "teams.yml").write_text(json.dumps(teams), encoding="utf-8")
    metrics = (project / "site_config" / "metrics.yml").read_text(encoding="utf-8")
    metrics = metrics.replace(
        "label: Checkout completion", f"label: {json.dumps(injection('label'))}"
    )
    metrics = metrics.replace(
        "description: Share of visitors who start checkout and complete the order.",
        f"description: {json.dumps(injection('description'))}",
    )
    (project / "site_config" / "metrics.yml").write_text(metrics, encoding="utf-8")
    data = copy.deepcopy(VALID)
    data.update(title=injection("title"), owner=injection("owner"), team=team)
    data["hypothesis"] = injection("hypothesis")
    write(project, "a.md", front_matter(data, WRITE_UP))
    broken = dict(data, id="EXP-2099-002", status="finished")
    write(project, f"{injection('file')}.md", front_matter(broken))
    site = tmp / "site"
    result = mkdocs_build(project, site, strict=False)
    assert result.returncode == 0, result.stderr
    assert "status: wrong value" in result.stderr
    return site


@pytest.mark.site
def test_no_string_of_any_input_file_becomes_markup(blank_line_site: Path) -> None:
    pages = list(blank_line_site.rglob("*.html"))
    assert len(pages) > 10
    shown = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = Handlers()
        parser.feed(text)
        assert parser.handlers == [], page
        assert "x.png" not in parser.images, page
        shown |= {where for where in FIELDS if f"alert(&#39;{where}&#39;)" in text}
    # Each one reached a page, as the text it is.
    assert shown == {*FIELDS}
    attention = blank_line_site / "experiments" / "needs-attention" / "index.html"
    assert "alert(&#39;file&#39;)" in attention.read_text(encoding="utf-8")


def test_no_string_of_any_input_file_runs_in_the_browser(blank_line_site: Path, browser) -> None:
    with serve(blank_line_site, free_port()) as url:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in (
            "",
            "experiments/",
            "experiments/exp-2099-001/",
            "experiments/needs-attention/",
            "people/",
            "teams/",
            "metrics/",
            "metrics/checkout_completion/",
            "timeline/",
        ):
            page.goto(url + path)
            page.wait_for_load_state("networkidle")
            draw_all_charts(page)
            for chart in page.locator(".kz-chart--drawn").all():
                chart.hover()
        page.goto(url + "experiments/exp-2099-001/")
        assert page.get_by_text("{: onerror=alert('hypothesis') }", exact=False).first.is_visible()
        # The write-up's element named Plotly neither stops the charts nor looks like a dialog.
        assert draw_all_charts(page) >= 1
        assert page.locator(".md-dialog--active").count() == 0
        # Search results show what the index holds of each page, as text too.
        page.locator(".kz-search").click()
        page.locator("pagefind-modal input").fill("onerror")
        page.locator("pagefind-modal .kz-search-outcome").first.wait_for()
        outcome = page.locator("pagefind-modal .kz-search-outcome").first
        assert "onerror=alert('label')" in outcome.inner_text()
        assert page.locator("pagefind-modal img").count() == 0
        page.close()
    assert dialogs == []


# --- files that lead out of the project ------------------------------------------------


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        pytest.fail(f"still running after {seconds} s")  # not TimeoutError: an OSError

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_links_out_of_the_project_are_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIZEN_TEST_TOKEN", "tok-3f9c1a77")
    project = make_project(tmp_path)
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text(front_matter(dict(VALID, id="EXP-2099-009")), encoding="utf-8")
    (project / "experiments" / "linked.md").symlink_to(elsewhere)
    # pagemap claims 0 bytes and reads as hundreds of gigabytes: opened, it hangs the build.
    links = {"passwd.csv": "/etc/passwd", "environ.csv": "/proc/self/environ"}
    links["pagemap.csv"] = "/proc/self/pagemap"
    for name, target in links.items():
        (project / "data" / name).symlink_to(target)
        write(
            project,
            f"{name}.md",
            front_matter(dict(VALID, id=f"EXP-{name[:3]}", data=f"data/{name}")),
        )
    with time_limit(20):  # a build that reads pagemap fails here rather than hanging CI
        code, out = check(project, capsys)
        # MkDocs builds remember outcomes by a digest of the data files: none is read for it.
        built = build(Inputs(project, memo=Memo()), PageOptions())
    assert len(built.portfolio.broken_paths) == 7  # the links, and the write-ups naming them
    outside = (
        "1:1: this is a link that leads outside the project (expected a file inside the "
        "project folder, found a link). Hint: copy the file into the project instead of "
        "linking to it"
    )
    assert code == 1
    assert f"data/environ.csv:{outside}" in out
    assert f"data/passwd.csv:{outside}" in out
    assert f"data/pagemap.csv:{outside}" in out
    assert f"experiments/linked.md:{outside}" in out
    everything = "\n".join(out)
    assert "tok-3f9c1a77" not in everything and "root:" not in everything
    assert load_portfolio(project).entries == ()


def test_what_is_not_a_file_is_named_and_never_opened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path)
    folder = project / "experiments"
    (folder / "gone.md").symlink_to(tmp_path / "missing.md")
    os.mkfifo(folder / "pipe.md")  # opening it to read would wait for a writer forever
    (project / "notes").mkdir()
    write(project, "../notes/kept.md", front_matter(VALID))
    (folder / "inside").symlink_to(project / "notes", target_is_directory=True)
    (folder / "outside").symlink_to(tmp_path, target_is_directory=True)
    code, out = check(project, capsys)
    assert code == 1
    assert out == [
        "experiments/gone.md:1:1: this is a link to a file that does not exist (expected a "
        "file, found a link that leads nowhere). Hint: remove the link, or put the file it "
        "named back",
        "experiments/inside:1:1: this is not a file that can be read (expected a regular "
        "file, found a link to a folder). Hint: links to folders are not followed: keep the "
        "files themselves here",
        "experiments/outside:1:1: this is a link that leads outside the project (expected a "
        "file inside the project folder, found a link). Hint: copy the file into the project "
        "instead of linking to it",
        "experiments/pipe.md:1:1: this is not a file that can be read (expected a regular "
        "file, found a named pipe). Hint: keep only the portal's files here",
    ]
    # Looking for the next free id reads every write-up, and opens none of these.
    command = ["new", "Next", "--team", "Web", "--owner", "Ana Ruiz", "--id", "EXP-2099-050"]
    started = subprocess.run(
        [sys.executable, "-m", "kaizen_portal.cli", "--project", str(project), *command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 0, started.stderr


def test_huge_files_are_refused_before_they_are_read(tmp_path: Path) -> None:
    """A sparse 3 GB write-up and a 2 GB CSV: refused by their size, in little memory."""
    project = make_project(tmp_path)
    with (project / "experiments" / "huge.md").open("wb") as sparse:
        sparse.truncate(3 * 10**9)
    with (project / "data" / "huge.csv").open("wb") as sparse:
        sparse.truncate(2 * 10**9)
    write(project, "a.md", front_matter(dict(VALID, data="data/huge.csv")))
    # VmHWM, the peak of this process's own memory: ru_maxrss would count the pages of
    # the test process it was forked from.
    script = (
        "import re, sys; from kaizen_portal.cli import main; "
        f"code = main(['--project', {str(project)!r}, 'check']); "
        "status = open('/proc/self/status').read(); "
        "print(int(re.search(r'VmHWM:\\s+(\\d+)', status)[1]) // 1024, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.stdout.splitlines() == [
        "data/huge.csv:1:1: the file is too large (expected at most 5,000,000 bytes, found "
        "2,000,000,000 bytes). Hint: check that the right file is named",
        "experiments/a.md:40:1: data: the data file has 1 problem, listed under its own name. "
        "Hint: fix data/huge.csv; the write-up itself is fine",
        "experiments/huge.md:1:1: the file is too large (expected at most 1,000,000 bytes, "
        "found 3,000,000,000 bytes). Hint: check that the right file is named; a write-up "
        "holds prose, not data",
    ]
    peak_mb = int(result.stderr.splitlines()[-1])
    assert peak_mb < 250, f"{peak_mb} MB resident"


def test_escape_codes_in_a_file_name_never_reach_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path)
    write(project, "\x1b[2Jwiped\x07.md", "no front-matter\n")
    code, out = check(project, capsys)
    assert code == 1
    assert out[0].startswith("experiments/\\x1b[2Jwiped\\x07.md:1:1: no front-matter found")
    assert not any(char in "\n".join(out) for char in "\x1b\x07")


def test_hundreds_of_unknown_fields_list_twenty_and_count_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each listed problem searches the file for its line: all 60,000 would take minutes.
    project = make_project(tmp_path)
    extra = "".join(f"k{i}: {i}\n" for i in range(500))
    write(project, "a.md", front_matter(VALID).replace("\n---\n\n", f"\n{extra}---\n\n", 1))
    code, out = check(project, capsys)
    assert code == 1 and len(out) == 21
    assert out[0].endswith("k0: unknown field (expected a known field, found 'k0')")
    assert out[-1].endswith(
        "and 480 more problems. Hint: fix the problems above and build again to see the rest"
    )


def test_a_file_name_that_is_not_utf8_is_named_not_published(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path)
    name = os.fsdecode(b"bad\xff.md")  # as the system hands over a Latin-1 name
    write(project, name, front_matter(VALID))
    code, out = check(project, capsys)
    assert code == 1
    assert out[0].startswith("experiments/bad\\xff.md:1:1: this file's name is not UTF-8")
    pages = {f.uri: f.content for f in build(Inputs(project), PageOptions()).files}
    assert "experiments/bad\\xff.md" in pages["experiments/needs-attention.md"]
    assert all(uri.encode("utf-8") for uri in pages)


def test_separators_and_half_characters_are_escaped_for_the_terminal() -> None:
    assert printable("a\u2028b\u2029c\ud83dd") == "a\\u2028b\\u2029c\\ud83dd"


# --- a public build, and every site_config case ----------------------------------------


def test_a_public_build_names_broken_internal_write_ups_without_their_words(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path)
    secret = dict(VALID, title="Merger with Rival Beans", team="Skunkworks", visibility="internal")
    write(project, "internal.md", front_matter(secret))
    write(project, "draft.md", front_matter(dict(secret, id="EXP-2099-002", visibility="draft")))
    write(project, "public.md", front_matter(dict(VALID, id="EXP-2099-003", team="Moonshots")))

    def attention(audience: set[Visibility]) -> str:
        result = build(Inputs(project, audience=frozenset(audience)), PageOptions())
        return {f.uri: f.content for f in result.files}["experiments/needs-attention.md"]

    public = attention({Visibility.PUBLIC})
    for path in ("experiments/internal.md", "experiments/draft.md", "experiments/public.md"):
        assert path in public
    assert "Skunkworks" not in public and "Merger" not in public
    assert "Moonshots" in public  # a public write-up's problems are public
    assert public.count("This write-up is not public: what is wrong with it (1 problem)") == 2
    internal = attention({Visibility.PUBLIC, Visibility.INTERNAL})
    assert "Skunkworks" in internal and internal.count("This write-up is not public") == 1


SITE_CONFIG_CASES = [case for case in CASES if (case / "site_config").is_dir()]


@pytest.mark.parametrize("case", SITE_CONFIG_CASES, ids=[c.name for c in SITE_CONFIG_CASES])
def test_a_broken_site_config_file_never_stops_the_build(case: Path, tmp_path: Path) -> None:
    project = corpus_project(tmp_path, [case], nest=False)
    write(project, "valid.md", front_matter(dict(VALID, id="EXP-2099-100")))
    result = build(Inputs(project), PageOptions())
    pages = {f.uri: f.content for f in result.files}
    for entry in result.portfolio.entries:
        assert f"experiments/{entry.meta.slug}.md" in pages
    attention = pages["experiments/needs-attention.md"]
    for path in result.portfolio.broken_paths:
        assert html.escape(path) in attention, path


# --- templates -------------------------------------------------------------------------


def test_an_override_template_cannot_reach_the_file_system(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, "a.md", front_matter(VALID))
    overrides = project / "overrides"
    overrides.mkdir()
    (overrides / "_card.html.j2").write_text(
        "<div>{{ exp.title }}</div>\n{{ links.options.template_dir.joinpath('x').read_text() }}\n",
        encoding="utf-8",
    )
    with pytest.raises(TemplateFailure) as failure:
        build(Inputs(project), PageOptions(template_dir=overrides))
    assert failure.value.filename == str(overrides / "_card.html.j2")
    assert failure.value.line == 2
    assert "unsafe" in failure.value.reason and "reaches nothing else" in failure.value.reason
    # What an override is for still works: laying out the portal's data.
    (overrides / "_card.html.j2").write_text(
        "<div class=mine>{{ exp.title|upper }} {{ exp.dates.latest|date }}</div>\n",
        encoding="utf-8",
    )
    pages = {
        f.uri: f.content for f in build(Inputs(project), PageOptions(template_dir=overrides)).files
    }
    assert (
        "<div class=mine>SHORTER CHECKOUT FORM 4 Apr 2099</div>"
        in pages["experiments/exp-2099-001.md"]
    )


@pytest.mark.parametrize(
    "reach",
    [
        "exp.parse_file('/etc/hostname')",
        "exp.parse_raw('{}')",
        "exp.model_validate_json('{}')",
        "exp.__class__",
        "exp.model_dump()",
        "links.options.__class__.__init__.__globals__",
    ],
)
def test_an_override_template_cannot_reach_a_model_s_machinery(reach: str, tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, "a.md", front_matter(VALID))
    overrides = project / "overrides"
    overrides.mkdir()
    (overrides / "_card.html.j2").write_text(f"<div>{{{{ {reach} }}}}</div>\n", encoding="utf-8")
    with pytest.raises(TemplateFailure) as failure:
        build(Inputs(project), PageOptions(template_dir=overrides))
    assert failure.value.filename == str(overrides / "_card.html.j2")
    assert "reaches nothing else" in failure.value.reason or "undefined" in failure.value.reason


@pytest.mark.parametrize("expression", ['"x" * 400000000', "[1] * 10**8", "10 ** 100000000"])
def test_an_override_template_cannot_take_the_build_s_memory(
    expression: str, tmp_path: Path
) -> None:
    project = make_project(tmp_path)
    write(project, "a.md", front_matter(VALID))
    overrides = project / "overrides"
    overrides.mkdir()
    (overrides / "_card.html.j2").write_text(
        f"<div>{{{{ ({expression})|length }}}}</div>\n", encoding="utf-8"
    )
    with pytest.raises(TemplateFailure, match="reaches nothing else"):
        build(Inputs(project), PageOptions(template_dir=overrides))
    # Ordinary arithmetic still works.
    (overrides / "_card.html.j2").write_text("<div>{{ 3 * 4 }} {{ '-' * 3 }}</div>\n")
    pages = {
        f.uri: f.content for f in build(Inputs(project), PageOptions(template_dir=overrides)).files
    }
    assert "<div>12 ---</div>" in pages["experiments/exp-2099-001.md"]


def test_an_override_template_is_a_file_of_its_folder_not_a_link_out(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, "a.md", front_matter(VALID))
    overrides = project / "overrides"
    overrides.mkdir()
    outside = tmp_path / "elsewhere.j2"
    outside.write_text("<div>{{ exp.title }}</div>\n", encoding="utf-8")
    (overrides / "_card.html.j2").symlink_to(outside)
    with pytest.raises(TemplateFailure) as failure:
        build(Inputs(project), PageOptions(template_dir=overrides))
    assert failure.value.filename == str(overrides / "_card.html.j2")
    assert "not a link" in failure.value.reason
    (overrides / "_card.html.j2").unlink()
    (overrides / "_card.html.j2").write_text("x" * 200_001, encoding="utf-8")
    with pytest.raises(TemplateFailure, match="at most 200,000 bytes"):
        build(Inputs(project), PageOptions(template_dir=overrides))


def test_an_override_s_own_runtime_error_says_where(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, "a.md", front_matter(VALID))
    overrides = project / "overrides"
    overrides.mkdir()
    (overrides / "_card.html.j2").write_text("<div>\n{{ 1 // 0 }}</div>\n", encoding="utf-8")
    with pytest.raises(TemplateFailure) as failure:
        build(Inputs(project), PageOptions(template_dir=overrides))
    assert (failure.value.filename, failure.value.line) == (str(overrides / "_card.html.j2"), 2)
    assert "division" in failure.value.reason


@pytest.mark.site
def test_a_failing_override_stops_the_build_with_its_place_and_no_traceback(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, "a.md", front_matter(VALID))
    (project / "overrides").mkdir()
    (project / "overrides" / "_srm.html.j2").write_text("{{ links.__init__ }}\n", encoding="utf-8")
    (project / "overrides" / "_card.html.j2").write_text(
        "<div>\n{{ links.options.template_dir.parent }}</div>\n", encoding="utf-8"
    )
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(
        "      pages_dir: experiments",
        "      pages_dir: experiments\n      templates_dir: overrides",
    )
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    result = mkdocs_build(project, tmp_path / "site", strict=False)
    assert result.returncode != 0
    assert (
        "overrides/_card.html.j2:2: access to attribute 'parent' of 'PosixPath' object is unsafe"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


@pytest.mark.site
def test_override_templates_are_a_folder_of_the_project(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, "a.md", front_matter(VALID))
    (tmp_path / "elsewhere").mkdir()
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace(
        "      pages_dir: experiments",
        "      pages_dir: experiments\n      templates_dir: ../elsewhere",
    )
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    result = mkdocs_build(project, tmp_path / "site", strict=False)
    assert result.returncode != 0
    assert "templates_dir: ../elsewhere leads out of the project" in result.stderr


# --- look-alike names ------------------------------------------------------------------


@pytest.mark.site
def test_a_look_alike_name_is_published_with_a_warning_that_fails_strict(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, "a.md", front_matter(dict(VALID, owner="\u0410na Ruiz")))
    write(project, "b.md", front_matter(dict(VALID, id="EXP-2099-002")))
    warning = "experiments/a.md:6:1: warning: owner: this name mixes alphabets"
    strict = mkdocs_build(project, tmp_path / "strict", strict=True, quiet=False)
    assert strict.returncode != 0 and warning in strict.stderr
    plain = mkdocs_build(project, tmp_path / "plain", strict=False, quiet=False)
    assert plain.returncode == 0 and warning in plain.stderr
    assert (tmp_path / "plain" / "experiments" / "exp-2099-001" / "index.html").is_file()
