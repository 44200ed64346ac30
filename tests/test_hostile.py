"""Broken and hostile input: every bad file gets its precise error, nothing is lost, and no
author string runs in a reader's browser.

The corpus lives in tests/corpus/<case>/: the case's files (experiments/, data/, and
site_config/ files that replace the shipped ones), a README saying what is wrong, and
expected.txt with the exact lines `kaizen check` must print.
"""

from __future__ import annotations

import copy
import html
import json
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from browsing import draw_all_charts, free_port, serve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kaizen_portal.build.loading import load_portfolio
from kaizen_portal.cli import main
from kaizen_portal.inputs.catalog import Catalog
from kaizen_portal.inputs.portfolio import load_entry
from kaizen_portal.pages.markers import WRITEUP_MARKER
from kaizen_portal.pages.sanitize import clean_toc, clean_writeup, writeup_id

from conftest import screenshot
from helpers import ENGINES, VALID, front_matter, make_project, mkdocs_build, write

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())
# Cases of write-ups alone; those with site_config files of their own each need a project.
WRITE_UP_CASES = [case for case in CASES if not (case / "site_config").is_dir()]


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    for case in CASES:
        assert (case / "README").read_text(encoding="utf-8").strip(), case.name
        assert (case / "expected.txt").read_text(encoding="utf-8").strip(), case.name


def corpus_project(tmp_path: Path, cases: list[Path], nest: bool) -> Path:
    """A portal project holding the given cases; nested, each case keeps its own folder."""
    project = make_project(tmp_path)
    for case in cases:
        for item in ("experiments", "data", "site_config"):
            source = case / item
            if source.is_dir():
                target = project / item / case.name if nest and item == "experiments" else None
                shutil.copytree(source, target or project / item, dirs_exist_ok=True)
    return project


def expected_lines(case: Path, nest: bool) -> list[str]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    if not nest:
        return lines
    return [line.replace("experiments/", f"experiments/{case.name}/") for line in lines]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_check_prints_the_expected_error(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = corpus_project(tmp_path, [case], nest=False)
    code = main(["--project", str(project), "check"])
    out = capsys.readouterr()
    assert code == 1
    assert out.out.splitlines() == expected_lines(case, nest=False)
    assert "Traceback" not in out.out + out.err
    # Every file of the case is named or published: none goes unmentioned.
    named = {line.split(":", 1)[0] for line in out.out.splitlines()}
    named |= {entry.path for entry in load_portfolio(project).entries}
    for path in (case / "experiments").rglob("*"):
        if path.is_file() and path.name != "a.md":  # a.md of duplicate-id cases keeps its id
            assert path.relative_to(case).as_posix() in named, path


@pytest.mark.site
def test_the_whole_corpus_fails_strict_and_publishes_the_valid_rest(tmp_path: Path) -> None:
    project = corpus_project(tmp_path, WRITE_UP_CASES, nest=True)
    write(project, "valid.md", front_matter(VALID))
    # Not quiet: MkDocs leaves warnings (a look-alike name) out of a quiet build's log.
    strict = mkdocs_build(project, tmp_path / "strict", strict=True, quiet=False)
    assert strict.returncode != 0
    assert "Traceback" not in strict.stderr
    for case in WRITE_UP_CASES:
        for line in expected_lines(case, nest=True):
            # Hints may name other files' ids ("did you mean ..."); the rest must match.
            assert line.split(". Hint: ")[0] in strict.stderr, line

    plain = mkdocs_build(project, tmp_path / "plain", strict=False)
    assert plain.returncode == 0, plain.stderr
    site = tmp_path / "plain"
    assert (site / "experiments" / "exp-2099-001" / "index.html").is_file()
    attention = (site / "experiments" / "needs-attention" / "index.html").read_text("utf-8")
    broken = load_portfolio(project).broken_paths
    assert len(broken) >= len(WRITE_UP_CASES) - 1  # the confusable owner is only warned of
    for path in broken:
        assert html.escape(path) in attention, path


# --- the loader never raises ------------------------------------------------------------


def _load_bytes(tmp_path: Path, raw: bytes, name: str = "x.md"):
    path = tmp_path / name
    path.write_bytes(raw)
    return load_entry(path, name, Catalog(), tmp_path)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=2000))
def test_any_bytes_give_an_entry_or_problems(tmp_path: Path, raw: bytes) -> None:
    loaded = _load_bytes(tmp_path, raw)
    assert (loaded.entry is None) == bool(loaded.problems)


_yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
_fields = st.sampled_from([*VALID, "metrics", "visibility", "parent", "data", "split", "x"])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=st.dictionaries(_fields, _yaml_values, max_size=4))
def test_any_front_matter_gives_an_entry_or_problems(tmp_path: Path, changes: dict) -> None:
    data = copy.deepcopy(VALID)
    data.update(changes)
    try:
        text = front_matter(data)
    except Exception:
        return
    loaded = _load_bytes(tmp_path, text.encode("utf-8"))
    assert (loaded.entry is None) == bool(loaded.problems)
    for problem in loaded.problems:
        assert problem.line >= 1 and problem.column >= 1


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=400))
def test_any_text_inside_front_matter_delimiters(tmp_path: Path, text: str) -> None:
    loaded = _load_bytes(tmp_path, f"---\n{text}\n---\n\nBody\n".encode())
    assert (loaded.entry is None) == bool(loaded.problems)


# --- raw HTML in write-ups --------------------------------------------------------------


def test_writeup_html_may_format_but_never_run() -> None:
    page = (
        '<div class="kz-card" data-figure=\'{"a":1}\'>ours</div><!-- kaizen:writeup -->'
        '<h2 id="background">Background<a class="headerlink" href="#background">¶</a></h2>'
        '<p onclick="alert(1)">Hi <script>alert(2)</script><a href="javascript:alert(3)">x</a>'
        '<img src="x" onerror="alert(4)"><iframe src="https://example.com"></iframe>'
        '<span style="position:fixed">s</span><sup>2</sup></p>'
        "<details><summary>More</summary><table><tr><td>1</td></tr></table></details>"
        '<div id="__config">{"search": "evil.js"}</div><p id="__search">s</p>'
    )
    ours = '<div class="kz-card" data-figure=\'{"a":1}\'>ours</div>'
    cleaned = clean_writeup(page)
    assert cleaned.startswith(ours)  # the portal's own HTML is untouched
    body = cleaned.removeprefix(ours)
    for gone in ("onclick", "<script", "javascript:", "onerror", "<iframe", "style=", 'id="__'):
        assert gone not in body
    for kept in ('<h2 id="background">', 'class="headerlink"', "<sup>2</sup>", "<details>"):
        assert kept in body
    assert clean_writeup("<p onclick='x'>docs page</p>") == "<p onclick='x'>docs page</p>"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("background", "background"),
        ("ergebnisse-über", "ergebnisse-über"),  # the table of contents' own slugs stay
        ('r" onclick="alert(1)', "r--onclick--alert-1-"),  # attr_list takes quotes
        ("a>b<c", "a-b-c"),
        ("__config", "config"),  # the theme's own ids begin with two underscores
        ("Plotly", "id-Plotly"),  # an element would stand in for plotly.js
        ("", "section"),
    ],
)
def test_a_write_up_id_is_plain_and_none_the_page_s_scripts_use(given: str, kept: str) -> None:
    assert writeup_id(given) == kept


def test_a_write_up_cannot_dress_as_the_theme_or_the_portal() -> None:
    body = (
        '<a class="md-dialog md-dialog--active">Verified</a>'
        '<span class="kz-state kz-state--win">Win</span>'
        '<a class="md-button md-button--primary" href="https://example.com">Go</a>'
        '<div class="admonition note"><p class="admonition-title">Note</p></div>'
    )
    cleaned = clean_writeup(WRITEUP_MARKER + body)
    assert "md-dialog" not in cleaned and "kz-state" not in cleaned
    assert 'class="md-button md-button--primary"' in cleaned
    assert 'class="admonition note"' in cleaned


def test_the_table_of_contents_holds_the_cleaned_ids_and_titles_as_text() -> None:
    @dataclass
    class Item:
        id: str
        title: str
        children: list[Item]

    toc = [Item('r" onclick="x', "Results <b>now</b>", [Item("__config", "C", [])])]
    clean_toc(toc)
    assert (toc[0].id, toc[0].title) == ("r--onclick--x", "Results now")
    assert toc[0].children[0].id == "config"


# --- injection, in a real browser -------------------------------------------------------

HOSTILE = {
    "title": '</title><script>alert("title")</script> "quoted" & <b>bold</b>',
    "owner": "<img src=x onerror=alert('owner')>",
    "hypothesis": "javascript:alert('hyp') </script><script>alert('h2')</script>",
    "team": "<svg onload=alert('team')>",
    "label": "<img src=y onerror=alert('metric')>",
}
BODY = """## <img src=z onerror=alert('heading')> Background

Text with <script>alert('body')</script> and [a link](javascript:alert('link')) and
<a href="javascript:alert('raw')">raw</a> and <b onmouseover="alert('b')">bold</b>.
"""


@pytest.fixture(scope="module", params=ENGINES)
def hostile_site(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The hostile write-ups built by each engine: escaping must hold on every route."""
    tmp = tmp_path_factory.mktemp(f"hostile-{request.param}")
    project = make_project(tmp)
    (project / "site_config" / "teams.yml").write_text(
        json.dumps({HOSTILE["team"]: {"description": HOSTILE["owner"]}}), encoding="utf-8"
    )
    metrics = (project / "site_config" / "metrics.yml").read_text(encoding="utf-8")
    metrics = metrics.replace(
        "label: Checkout completion", f"label: {json.dumps(HOSTILE['label'])}"
    )
    (project / "site_config" / "metrics.yml").write_text(metrics, encoding="utf-8")
    parent = copy.deepcopy(VALID)
    parent.update(title=HOSTILE["title"], owner=HOSTILE["owner"], team=HOSTILE["team"])
    parent["hypothesis"] = HOSTILE["hypothesis"]
    write(project, "a.md", front_matter(parent, BODY))
    child = copy.deepcopy(parent)
    child.update(id="EXP-2099-002", parent="EXP-2099-001")
    child["dates"] = {
        k: v.replace("2099-03", "2099-05").replace("2099-04", "2099-06")
        for k, v in child["dates"].items()
    }
    write(project, "b.md", front_matter(child, BODY))
    site = tmp / "site"
    result = mkdocs_build(project, site, strict=True, engine=request.param)
    assert result.returncode == 0, result.stderr
    return site


@pytest.mark.site
def test_hostile_strings_stay_text_in_feeds_and_export(hostile_site: Path) -> None:
    export = json.loads((hostile_site / "experiments.json").read_text(encoding="utf-8"))
    assert {e["title"] for e in export["experiments"]} == {HOSTILE["title"]}
    rss = ET.parse(hostile_site / "feed.xml")
    assert HOSTILE["title"] in {t.text for t in rss.iter("title")}
    feed = json.loads((hostile_site / "feed.json").read_text(encoding="utf-8"))
    assert {item["title"] for item in feed["items"]} == {HOSTILE["title"]}
    pages = list(hostile_site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for raw in (*HOSTILE.values(), "<script>alert", 'href="javascript:'):
            assert raw not in text, (page, raw)


def test_no_author_string_runs_in_the_browser(hostile_site: Path, browser) -> None:
    with serve(hostile_site, free_port()) as url:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in (
            "",
            "experiments/",
            "experiments/exp-2099-002/",
            "people/",
            "teams/",
            "metrics/checkout_completion/",
            "timeline/",
            "experiments/exp-2099-001/",
        ):
            page.goto(url + path)
            page.wait_for_load_state("networkidle")
            draw_all_charts(page)
            for chart in page.locator(".kz-chart--drawn").all():
                chart.hover()
        for text in (HOSTILE["title"], HOSTILE["owner"], "javascript:alert('hyp')"):
            assert page.get_by_text(text, exact=False).first.is_visible(), text
        screenshot(page, "hostile")
        page.close()
    assert dialogs == []


def test_no_author_string_runs_in_search_results(hostile_site: Path, browser) -> None:
    """The search box of each engine (Pagefind's through the portal's, Zensical's own) shows
    the hostile titles, owners and headings of its results as text."""
    zensical = (hostile_site / "search.json").is_file()
    box, field, results = (
        (".md-search__button", "dialog input", "dialog a[href*='exp-2099-00']")
        if zensical
        else (".kz-search", "pagefind-modal input", ".pf-result-link[href*='exp-2099-00']")
    )
    with serve(hostile_site, free_port()) as url:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url + "experiments/")
        for query in ("quoted", "onerror", "Background"):
            page.locator(box).click()
            page.locator(field).fill(query)
            page.locator(results).first.wait_for()
            for link in page.locator(results).all()[:6]:
                link.hover()
            page.keyboard.press("Escape")
            page.goto(url + "experiments/")
        page.close()
    assert dialogs == []
