"""The live preview at scale: under `mkdocs serve --dirty`, a rebuild renders only the
pages a change touched, and the site it leaves is the site a full build of the same files
writes, after every kind of change an author makes.

Builds run in this process as `mkdocs serve` runs them (the serve command, its site URL,
one site folder for the whole session), so the portal's state between rebuilds is the
state a preview keeps. Each case builds, changes a file, rebuilds dirty, and compares
every file of the site with a fresh build's, Pagefind's index aside (it is built in the
background and searched in test_search.py).
"""

from __future__ import annotations

import copy
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from kaizen_portal.pages.rendering import TEMPLATES

from helpers import VALID, front_matter, make_project, write

SERVE_URL = "http://127.0.0.1:8000/"
EDITED = "experiments/exp-2025-012.md"  # Shorter checkout form: cycle 1 of 3, a daily CSV


def serve_build(project: Path, site: Path, *, dirty: bool) -> None:
    """One build of a live preview, as `mkdocs serve [--dirty]` makes it."""
    from kaizen_portal.mkdocs_plugin.plugin import SEARCH
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=dirty)
    config.site_url = SERVE_URL
    build(config, serve_url=SERVE_URL, dirty=dirty)
    assert SEARCH.wait(60)  # nothing writes into the folder while it is compared


def site_files(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and not p.relative_to(site).parts[0].startswith("pagefind")
    }


def stamps(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*.html")}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # as the session's first build set
    return make_project(tmp_path, samples=True)


def rebuilt_as_a_full_build(project: Path, tmp_path: Path, change: Callable[[], None]) -> set[str]:
    """Builds, makes the change, rebuilds dirty; returns the pages written again. Fails
    unless every file matches a full build of the changed project."""
    site = tmp_path / "preview"
    serve_build(project, site, dirty=True)
    before = stamps(site)
    change()
    serve_build(project, site, dirty=True)
    full = tmp_path / "full"
    serve_build(project, full, dirty=False)
    ours, theirs = site_files(site), site_files(full)
    assert sorted(ours) == sorted(theirs)
    assert [name for name in theirs if ours[name] != theirs[name]] == []
    after = stamps(site)
    return {page for page in after if after[page] != before.get(page)}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.site
def test_a_saved_title_and_result_render_only_the_pages_that_show_them(
    project: Path, tmp_path: Path
) -> None:
    def save() -> None:
        edit(project / EDITED, "title: Shorter checkout form", "title: Four-field checkout")

    rewritten = rebuilt_as_a_full_build(project, tmp_path, save)
    for page in ("experiments/exp-2025-012/", "experiments/", "experiments/exp-2025-018/"):
        assert page + "index.html" in rewritten, page  # the page, the index, a later cycle
    assert "teams/web/index.html" in rewritten and "timeline/index.html" in rewritten
    assert "experiments/exp-2025-001/index.html" not in rewritten  # nothing of it changed
    assert "authoring/index.html" not in rewritten
    assert len(rewritten) < len(stamps(tmp_path / "preview")) / 2


@pytest.mark.parametrize(
    ("changed", "old", "new", "pages"),
    [
        (  # a metric label, on its metric's page and every experiment that measured it
            "site_config/metrics.yml",
            "label: Checkout completion",
            "label: Orders completed",
            ["experiments/exp-2025-012/", "metrics/checkout_completion/"],
        ),
        ("site_config/teams.yml", "Runs hearthsidecoffee.com", "Runs the shop", ["teams/web/"]),
        (  # a parent link: the cycles of both ideas
            "experiments/exp-2025-018.md",
            "parent: EXP-2025-012",
            "parent: EXP-2025-001",
            ["experiments/exp-2025-012/", "experiments/exp-2025-001/"],
        ),
    ],
)
@pytest.mark.site
def test_a_change_elsewhere_renders_every_page_that_shows_it(
    project: Path, tmp_path: Path, changed: str, old: str, new: str, pages: list[str]
) -> None:
    rewritten = rebuilt_as_a_full_build(
        project, tmp_path, lambda: edit(project / changed, old, new)
    )
    assert {page + "index.html" for page in pages} <= rewritten


@pytest.mark.site
def test_a_daily_csv(project: Path, tmp_path: Path) -> None:
    daily = project / "data" / "exp-2025-012.csv"

    def move_a_conversion() -> None:  # a day earlier: the totals stay those of the write-up
        edit(daily, "2025-06-16,short_form,501,324", "2025-06-16,short_form,501,323")
        edit(daily, "2025-06-17,short_form,467,298", "2025-06-17,short_form,467,299")

    rewritten = rebuilt_as_a_full_build(project, tmp_path, move_a_conversion)
    assert "experiments/exp-2025-012/index.html" in rewritten


@pytest.mark.site
def test_an_override_template(project: Path, tmp_path: Path) -> None:
    overrides = project / "overrides"
    overrides.mkdir()
    shutil.copy(TEMPLATES / "_card.html.j2", overrides / "_card.html.j2")
    option = "      pages_dir: experiments"
    edit(project / "mkdocs.yml", option, f"{option}\n      templates_dir: overrides")

    def restyle() -> None:
        title = '<h1 class="kz-card__title">'
        edit(overrides / "_card.html.j2", title, title.replace("title", "title kz-new"))

    rewritten = rebuilt_as_a_full_build(project, tmp_path, restyle)
    assert "experiments/exp-2025-001/index.html" in rewritten
    page = tmp_path / "preview" / "experiments" / "exp-2025-001" / "index.html"
    assert "kz-new" in page.read_text("utf-8")


@pytest.mark.site
def test_the_theme_folder_renders_every_page_again(project: Path, tmp_path: Path) -> None:
    main = project / "theme" / "main.html"
    rewritten = rebuilt_as_a_full_build(
        project, tmp_path, lambda: edit(main, "read the numbers", "read every number")
    )
    assert rewritten == set(stamps(tmp_path / "preview"))


@pytest.mark.site
def test_a_deleted_write_up_takes_its_page_and_rows_along(project: Path, tmp_path: Path) -> None:
    rebuilt_as_a_full_build(project, tmp_path, (project / "experiments" / "exp-2025-001.md").unlink)
    site = tmp_path / "preview"
    assert not (site / "experiments" / "exp-2025-001").exists()
    assert "exp-2025-001" not in (site / "experiments" / "index.html").read_text("utf-8")


@pytest.mark.site
def test_a_broken_save_is_on_needs_attention_and_its_last_good_page_stays(
    project: Path, tmp_path: Path
) -> None:
    site = tmp_path / "preview"
    serve_build(project, site, dirty=True)
    good = (site / "experiments" / "exp-2025-001" / "index.html").read_bytes()
    written = (project / "experiments" / "exp-2025-001.md").stat()
    edit(project / "experiments" / "exp-2025-001.md", "status: concluded", "status: finished")
    serve_build(project, site, dirty=True)
    needs = (site / "experiments" / "needs-attention" / "index.html").read_text("utf-8")
    assert "experiments/exp-2025-001.md" in needs and "finished" in needs
    assert (site / "experiments" / "exp-2025-001" / "index.html").read_bytes() == good
    full = tmp_path / "full"
    serve_build(project, full, dirty=False)
    ours, theirs = site_files(site), site_files(full)
    # Everything a full build writes, the same; beyond it, only the last good page.
    assert sorted(set(ours) - set(theirs)) == ["experiments/exp-2025-001/index.html"]
    assert [name for name in theirs if ours[name] != theirs[name]] == []
    # Fixed, it is the full build's page again (its "last changed" date, outside git the
    # file's, put back too: a save on another day than the copy would change it).
    edit(project / "experiments" / "exp-2025-001.md", "status: finished", "status: concluded")
    os.utime(
        project / "experiments" / "exp-2025-001.md", ns=(written.st_atime_ns, written.st_mtime_ns)
    )
    serve_build(project, site, dirty=True)
    assert not (site / "experiments" / "needs-attention").exists()
    assert (site / "experiments" / "exp-2025-001" / "index.html").read_bytes() == good


@pytest.mark.site
def test_a_new_write_up_gets_its_page(project: Path, tmp_path: Path) -> None:
    data = copy.deepcopy(VALID)
    rebuilt_as_a_full_build(project, tmp_path, lambda: write(project, "new.md", front_matter(data)))
    assert (tmp_path / "preview" / "experiments" / "exp-2099-001" / "index.html").is_file()


@pytest.mark.site
def test_without_an_explicit_nav_skipped_pages_keep_their_titles_in_it(
    project: Path, tmp_path: Path
) -> None:
    """MkDocs titles a page of the navigation from the page itself; a page a dirty build
    skips must still give every page it does render its title there."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("\nnav:\n")] + text[text.index("\nmarkdown_extensions:") :])

    def save() -> None:
        edit(project / EDITED, "title: Shorter checkout form", "title: Four-field checkout")

    rewritten = rebuilt_as_a_full_build(project, tmp_path, save)
    assert "authoring/index.html" not in rewritten  # skipped, yet titled in the others' nav


def test_the_theme_s_templates_are_compiled_once_until_one_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """MkDocs makes the theme's environment anew for each rebuild; the preview's bytecode
    cache compiles a template again only when its source or the pages' frame changed."""
    import jinja2
    from kaizen_portal.mkdocs_plugin.preview import CompiledTemplates

    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, name=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return compile_(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    cache, sources = CompiledTemplates(), {"main.html": "one {{ x }}"}

    def render(frame: int) -> str:
        env = jinja2.Environment(loader=jinja2.DictLoader(sources))
        env.bytecode_cache = cache.for_frame(frame)
        return env.get_template("main.html").render(x=1)

    assert [render(1), render(1)] == ["one 1", "one 1"]
    assert compiled == ["main.html"]
    sources["main.html"] = "two {{ x }}"
    assert [render(1), render(1)] == ["two 1", "two 1"]
    assert len(compiled) == 2
    assert render(2) == "two 1"  # mkdocs.yml or the theme folder changed
    assert len(compiled) == 3


def test_garbage_is_collected_once_the_preview_is_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never while a rebuild runs: a save made before the collection is due puts it off."""
    import gc
    import threading
    import time

    from kaizen_portal.mkdocs_plugin.preview import IdleCollection

    collected = threading.Event()
    monkeypatch.setattr(gc, "collect", lambda *args: collected.set() or 0)
    idle = IdleCollection(delay=0.2)
    idle.build_started()
    idle.build_ended()
    idle.build_started()  # the next save, before the collection was due
    time.sleep(0.4)
    assert not collected.is_set()
    idle.build_ended()
    assert collected.wait(5)
