"""`kaizen generate DIR`: the portal as a docs folder for an engine that runs no plugin.

The folder must hold every page the plugin hands MkDocs, with the same content; report
problems as `kaizen check` does; clean the write-up before any engine sees it; and never
touch a folder it did not write.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import re
from pathlib import Path

import markdown
import pytest
import yaml
from kaizen_portal import cli
from kaizen_portal.build.docs_folder import (
    MARK,
    FolderError,
    prerendered,
    writeup_renderer,
)
from kaizen_portal.build.pipeline import Inputs, build
from kaizen_portal.cli.project import read_site_config
from kaizen_portal.pages.links import PageOptions
from kaizen_portal.pages.markers import DASHBOARD_MARKER, WRITEUP_MARKER
from kaizen_portal.pages.rendering import front_matter as front_matter_of

from helpers import VALID, front_matter, make_project, write


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from a folder that is no project, so no test can write into the repository."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)


def generate(project: Path, folder: Path) -> int:
    return cli.main(["--project", str(project), "generate", str(folder)])


def test_the_folder_holds_every_page_the_plugin_makes(tmp_path: Path) -> None:
    project = make_project(tmp_path, samples=True)
    folder = tmp_path / "out"
    assert generate(project, folder) == 0
    written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    pages = build(Inputs(project), PageOptions()).files
    docs = {p.relative_to(project / "docs").as_posix() for p in (project / "docs").rglob("*")}
    assert {g.uri for g in pages} <= written
    assert {d for d in docs if (project / "docs" / d).is_file()} <= written
    assert {"assets/kaizen/kaizen.css", "assets/kaizen/charts.js", MARK} <= written
    home = (folder / "index.md").read_text(encoding="utf-8")
    assert DASHBOARD_MARKER not in home and 'class="kz-dashboard' in home
    assert len(list((folder / "experiments").glob("exp-*.md"))) == 22


def test_pages_hold_what_the_plugin_s_pages_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One code path: the same pipeline's pages, links written from source to source, and
    the write-up rendered; the built sites are compared word by word in test_engines.py."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    project = make_project(tmp_path, samples=True)
    folder = tmp_path / "out"
    assert generate(project, folder) == 0
    site = read_site_config(project / "mkdocs.yml")
    options = PageOptions(site_url=site.site_url, site_name=site.site_name, as_of=AS_OF)
    plugin_pages = {g.uri: g.content for g in build(Inputs(project), options).files}
    assert len(plugin_pages) > 100
    for uri, content in plugin_pages.items():
        ours = (folder / uri).read_text(encoding="utf-8")
        head, marker, _ = ours.partition(WRITEUP_MARKER)
        theirs = content.partition(WRITEUP_MARKER)[0]
        assert LINK.sub("", head) == LINK.sub("", theirs), uri
        assert bool(marker) == (WRITEUP_MARKER in content), uri
    page = (folder / "experiments" / "exp-2025-011.md").read_text(encoding="utf-8")
    assert 'href="../teams/email-crm.md"' in page  # Zensical resolves it as a Markdown link
    assert 'href="../../teams/email-crm/"' in plugin_pages["experiments/exp-2025-011.md"]


AS_OF = dt.datetime.fromtimestamp(1790000000, dt.UTC).date()
LINK = re.compile(r'(?:href|src)="[^"]*"')


def two_write_ups(tmp_path: Path, name: str, **second: str) -> Path:
    """A project of VALID and a second write-up, EXP-2099-002, changed by ``second``."""
    project = make_project(tmp_path)
    write(project, "good.md", front_matter(VALID))
    other = copy.deepcopy(VALID)
    other.update(id="EXP-2099-002", **second)
    write(project, name, front_matter(other))
    return project


def test_problems_are_reported_as_kaizen_check_reports_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = two_write_ups(tmp_path, "broken.md", status="finished")
    assert cli.main(["--project", str(project), "check"]) == 1
    checked = capsys.readouterr().out
    folder = tmp_path / "out"
    assert generate(project, folder) == 1
    out, err = capsys.readouterr()
    assert out == checked and "experiments/broken.md:" in out
    assert "1 of 2 experiment files is not published" in err
    assert (folder / "experiments" / "needs-attention.md").is_file()  # written all the same
    assert (folder / "experiments" / "exp-2099-001.md").is_file()


BODY = """## <img src=z onerror=alert('heading')> Background

Text with <script>alert('body')</script> and [a link](javascript:alert('link')) and
<a href="javascript:alert('raw')" onclick="alert(1)">raw</a>.

```
first line

after a blank line
```

| a | b |
| - | - |
| 1 | 2 |
"""


def test_the_write_up_is_cleaned_html_that_markdown_passes_through_as_it_is() -> None:
    page = f"<div>card</div>\n\n{WRITEUP_MARKER}\n\n{BODY}"
    to_html = writeup_renderer([{"toc": {"permalink": True}}, "attr_list"])
    written = prerendered(page, to_html)
    writeup = written.partition(WRITEUP_MARKER)[2]
    tags = re.findall(r"<[^>]+>", writeup)
    assert not [t for t in tags if re.search(r"<(script|img)|\son\w+=|javascript:", t)], tags
    assert "&lt;script&gt;" not in writeup  # a script is removed, not shown
    assert "\n\n" not in writeup.strip()  # nothing that ends an HTML block for CommonMark
    assert "<table>" in writeup and 'class="headerlink"' in writeup
    # Any engine's Markdown then leaves the block exactly as it is, blank line in <pre> too.
    block = writeup.strip()
    assert block in markdown.markdown(written, extensions=["md_in_html", "attr_list"])
    code = writeup.split("<code>")[1].split("</code>")[0]
    assert html.unescape(code) == "first line\n\nafter a blank line\n"


def test_a_page_without_a_write_up_is_left_as_it_is() -> None:
    assert prerendered("# Metrics\n\n<table></table>\n", str.upper) == (
        "# Metrics\n\n<table></table>\n"
    )


def test_an_extension_that_does_not_load_is_named() -> None:
    with pytest.raises(FolderError, match=r"markdown_extensions: .*no_such_extension"):
        writeup_renderer(["no_such_extension"])


def test_a_folder_it_did_not_write_is_never_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path)
    write(project, "good.md", front_matter(VALID))
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    assert generate(project, folder) == 2
    assert "not written by kaizen generate" in capsys.readouterr().err
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert generate(project, project) == 2
    assert generate(project, project / "docs") == 2
    assert generate(project, project / "docs" / "generated") == 2
    assert "the project's own folder or inside its docs" in capsys.readouterr().err
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    assert generate(project, tmp_path / "link") == 2
    assert "is a link" in capsys.readouterr().err


def test_a_second_run_leaves_no_page_of_a_deleted_write_up(tmp_path: Path) -> None:
    project = two_write_ups(tmp_path, "other.md")
    gone = project / "experiments" / "other.md"
    folder = tmp_path / "out"
    assert generate(project, folder) == 0
    assert (folder / "experiments" / "exp-2099-002.md").is_file()
    gone.unlink()
    assert generate(project, folder) == 0
    assert not (folder / "experiments" / "exp-2099-002.md").exists()
    assert (folder / "experiments" / "exp-2099-001.md").is_file()


def test_mkdocs_yml_settings_reach_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plugin's options, with !ENV read as MkDocs reads it: one file for both routes."""
    project = two_write_ups(tmp_path, "internal.md", visibility="internal")
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("pages_dir: experiments", "pages_dir: results")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    monkeypatch.setenv("KAIZEN_INCLUDE_INTERNAL", "false")
    folder = tmp_path / "out"
    assert generate(project, folder) == 0
    assert (folder / "results" / "exp-2099-001.md").is_file()
    assert not (folder / "results" / "exp-2099-002.md").exists()
    monkeypatch.setenv("KAIZEN_INCLUDE_INTERNAL", "true")
    assert generate(project, folder) == 0
    assert (folder / "results" / "exp-2099-002.md").is_file()


def test_env_tags_read_as_mkdocs_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: !ENV [NAME, Fallback]\nsite_url: !ENV URL\nuse_directory_urls: false\n"
        "markdown_extensions:\n  - admonition\n  - toc:\n      permalink: true\n"
        "plugins:\n  kaizen-portal:\n    include_internal: !ENV [A, B, true]\n",
        encoding="utf-8",
    )
    read = read_site_config(config)
    assert (read.site_name, read.site_url, read.directory_urls) == ("Fallback", "", False)
    assert read.markdown_extensions == ("admonition", {"toc": {"permalink": True}})
    assert read.plugin == {"include_internal": True}
    monkeypatch.setenv("B", "false")
    monkeypatch.setenv("NAME", "Results")
    assert read_site_config(config).plugin == {"include_internal": False}
    assert read_site_config(config).site_name == "Results"


def test_a_heading_s_permalink_leads_to_its_cleaned_id() -> None:
    """An id may not begin with an underscore (sanitize.py); its ¶ link must follow it, or
    the anchor is broken on every route and Zensical's strict build stops."""
    to_html = writeup_renderer([{"toc": {"permalink": True}}])
    written = prerendered(f"{WRITEUP_MARKER}\n\n## _private fields\n", to_html)
    assert 'id="private-fields"' in written and 'href="#private-fields"' in written
    assert "#_" not in written


@pytest.mark.parametrize("title", ["1e3", "no", "0o17", "null", "2026-01-01", "'q' & \"r\""])
def test_a_generated_page_s_title_stays_text_for_any_yaml_reader(title: str) -> None:
    head = front_matter_of(title=title)
    line = next(line for line in head.splitlines() if line.startswith('"title":'))
    assert line.startswith('"title": "'), line  # quoted: no YAML 1.1 or 1.2 reader types it
    assert yaml.safe_load(head.strip("-\n"))["title"] == title


HEADINGS = """## Why *we* [tried](javascript:alert(1)) it {: onclick=alert(2) }

Text.

<div markdown="1">

### Inside a block

</div>

## __config `code` & <b>bold</b> ### {#x onclick=alert(3)}

Text.
"""


def test_top_headings_are_lifted_as_their_text_alone_for_the_table_of_contents() -> None:
    to_html = writeup_renderer([{"toc": {"permalink": True}}, "attr_list", "md_in_html"])
    written = prerendered(f"{WRITEUP_MARKER}\n\n{HEADINGS}", to_html, headings=True)
    lines = [line for line in written.splitlines() if line.startswith("#")]
    assert len(lines) == 2  # the heading inside a block stays in it
    for line in lines:  # nothing but letters, digits, spaces and references, and the id
        text, _, attrs = line.lstrip("#").partition(" {#")
        assert re.fullmatch(r"[\w ]*(&#\d+;[\w ]*)*", text.strip()), line
        assert re.fullmatch(r"[\w.:-]+\}", attrs), line
    rendered = markdown.markdown(
        written, extensions=["toc", "attr_list", "md_in_html"], extension_configs={}
    )
    tags = re.findall(r"<[^>]+>", rendered)
    assert not [t for t in tags if re.search(r"\son\w+=|javascript:|<(script|img)", t)], tags
    assert re.findall(r'<h2 id="([^"]+)"', rendered) == ["why-we-tried-it", "x"]  # as cleaned
    assert "Why we tried it" in re.sub(r"<[^>]+>", "", html.unescape(rendered))
    # Without attr_list the ids could not be kept: the headings stay in the HTML.
    kept = prerendered(f"{WRITEUP_MARKER}\n\n{HEADINGS}", to_html)
    assert not [line for line in kept.splitlines() if line.startswith("#")]
