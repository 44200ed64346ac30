"""The portal as a docs folder: every page and file the pipeline makes, written out as
Markdown, HTML and JSON that a site engine without the plugin renders (``kaizen generate``).

The plugin hands MkDocs the same pages in memory and cleans each write-up after MkDocs has
rendered it. An engine that runs no plugin (Zensical) cleans nothing, so here the write-up
is rendered to HTML first, with Python-Markdown and the extensions mkdocs.yml names,
cleaned by the same policy (pages/sanitize.py), and written as HTML blocks, its top
headings between them as Markdown of their text alone (writeup_headings.py). Markdown
passes an HTML block through as it is, as it does the portal's own blocks, whose author
strings Jinja escaped when it rendered them.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown

from ..pages.dashboard import default_home, with_dashboard
from ..pages.links import HOME_URI
from ..pages.markers import WRITEUP_MARKER
from ..pages.sanitize import clean_writeup
from ..pages.static_files import static_files
from . import writeup_headings
from .pipeline import Build
from .writeup_headings import Heading

# Left in every folder written here: a folder with it may be emptied and written again; any
# other folder that is not empty is someone's, and is never touched.
MARK = ".kaizen-generated"
# MkDocs renders every page with these before the ones mkdocs.yml lists.
BUILTIN_EXTENSIONS = ("toc", "tables", "fenced_code")
_BLANK_LINE = re.compile(r"\n(?=\n)")


class FolderError(Exception):
    """The folder cannot be written; the message says why and what to do."""


@dataclass(frozen=True)
class Generated:
    pages: int  # experiment pages among them
    replaced: tuple[str, ...]  # docs files that generated pages of the same name replaced


def writeup_renderer(extensions: Iterable[str | Mapping[str, Any]]) -> Callable[[str], str]:
    """Markdown -> HTML as MkDocs renders a page with mkdocs.yml's ``markdown_extensions``.

    Raises FolderError when an extension cannot be loaded or does not take its options.
    """
    names = list(BUILTIN_EXTENSIONS)
    configs: dict[str, dict[str, Any]] = {}
    for item in extensions:
        name = extension_name(item)
        if name not in names:
            names.append(name)
        options = next(iter(item.values())) if isinstance(item, Mapping) else None
        configs.setdefault(name, {}).update(options or {})
    try:
        converter = markdown.Markdown(extensions=names, extension_configs=configs)
    except Exception as error:  # an extension's own ImportError, TypeError, KeyError...
        raise FolderError(
            f"markdown_extensions: cannot render write-ups with {names}: {error}"
        ) from error

    def render(text: str) -> str:
        return converter.reset().convert(text)

    return render


def extension_name(item: str | Mapping[str, Any]) -> str:
    """An extension's name as mkdocs.yml lists it: ``attr_list``, or a one-key mapping."""
    return str(next(iter(item), "") if isinstance(item, Mapping) else item)


def keeps_heading_ids(extensions: Iterable[str | Mapping[str, Any]]) -> bool:
    """Whether lifted headings can keep their ids: ``{#id}`` is attr_list's syntax."""
    names = {extension_name(item).removeprefix("markdown.extensions.") for item in extensions}
    return "attr_list" in names


def prerendered(page: str, writeup_html: Callable[[str], str], headings: bool = False) -> str:
    """A generated page with its write-up as cleaned HTML blocks, with no blank line
    inside that could end one (a blank line in ``<pre>`` stays, as a character reference).
    With ``headings`` (attr_list is on), the write-up's top headings come between the
    blocks as Markdown headings of their text alone, for the table of contents."""
    head, marker, writeup = page.partition(WRITEUP_MARKER)
    if not marker:
        return page
    cleaned = clean_writeup(marker + writeup_html(writeup)).removeprefix(marker)
    parts = writeup_headings.split(cleaned) if headings else [cleaned]
    blocks = [
        writeup_headings.as_markdown(part) if isinstance(part, Heading) else _block(part)
        for part in parts
    ]
    return f"{head}{marker}\n\n" + "\n\n".join(blocks) + "\n"


def _block(html: str) -> str:
    # Each line break followed by another becomes a character reference: the same text
    # (inside <pre> as well), and no blank line, which would end the block for CommonMark.
    body = _BLANK_LINE.sub("&#10;", html.strip("\n"))
    return f'<div class="kz-writeup">\n{body}\n</div>'


def folder_files(
    result: Build,
    own_docs: Path | None,
    site_name: str,
    writeup_html: Callable[[str], str],
    headings: bool = False,
) -> tuple[dict[str, str | Path], tuple[str, ...]]:
    """Every file of the folder by path (text, or the file to copy), and which of the
    project's own docs a generated page replaced."""
    files: dict[str, str | Path] = {}
    if own_docs is not None and own_docs.is_dir():
        for path in sorted(own_docs.rglob("*")):
            if path.is_file():
                files[path.relative_to(own_docs).as_posix()] = path
    replaced = tuple(g.uri for g in result.files if g.uri in files)
    for generated in result.files:
        files[generated.uri] = prerendered(generated.content, writeup_html, headings)
    files.update(static_files())
    home = files.get(HOME_URI)
    text = home.read_text(encoding="utf-8") if isinstance(home, Path) else default_home(site_name)
    files[HOME_URI] = with_dashboard(text, result.dashboard)
    return files, replaced


def write_folder(target: Path, files: Mapping[str, str | Path]) -> None:
    """Writes ``files`` into ``target``, which ends up holding them and nothing else."""
    if target.is_symlink():
        raise FolderError(f"{target} is a link; hint: give the folder it leads to, or a new one")
    if target.exists() and not target.is_dir():
        raise FolderError(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not (target / MARK).is_file():
        raise FolderError(
            f"{target} is not empty and was not written by kaizen generate;"
            " hint: give a new or empty folder"
        )
    if target.is_dir():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    (target / MARK).write_text("Written by kaizen generate; replaced on every run.\n", "utf-8")
    for uri, content in files.items():
        path = target / uri
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, path)
        else:
            path.write_text(content, encoding="utf-8")


def write_docs_folder(
    result: Build,
    target: Path,
    own_docs: Path | None,
    site_name: str,
    writeup_html: Callable[[str], str],
    headings: bool = False,
) -> Generated:
    """The folder an engine renders: every page and file, written into ``target``."""
    files, replaced = folder_files(result, own_docs, site_name, writeup_html, headings)
    write_folder(target, files)
    return Generated(len(result.portfolio.entries), replaced)
