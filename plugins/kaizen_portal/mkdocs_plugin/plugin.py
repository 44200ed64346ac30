"""The MkDocs adaptor: wires the pipeline into MkDocs events and nothing more."""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from ..build import git_dates, heap
from ..build.memo import Memo
from ..build.pipeline import Build, Inputs, audience, build, templates_folder
from ..inputs.problems import not_published, printable
from ..inputs.vocabulary import ProjectLayout, Visibility
from ..pages.dashboard import default_home, with_dashboard
from ..pages.links import HOME_URI, GeneratedFile, PageOptions
from ..pages.rendering import TemplateFailure
from ..pages.sanitize import clean_toc, clean_writeup
from ..pages.static_files import SCRIPTS, STYLESHEET, static_files
from . import html_stash, preview, watch
from .options import KaizenPortalConfig
from .pagefind import BackgroundIndex, Indexed, SearchIndexError, index_site

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

# Under "mkdocs.", so every error counts toward `mkdocs build --strict`.
log = get_plugin_logger(__name__)

# `mkdocs serve` makes new plugin instances for every rebuild; what was parsed and analysed
# before lives here while serving, keyed by content (see build/memo.py), and what the last
# build wrote (see preview.py).
MEMO = Memo()
WRITTEN = preview.Written()
THEME_CODE = preview.CompiledTemplates()
IDLE = preview.IdleCollection()


def _report_index(outcome: Indexed | SearchIndexError) -> None:
    if isinstance(outcome, SearchIndexError):
        log.error("the search index was not built: %s", outcome)
    else:
        log.info("Pagefind indexed %d pages in %.1f s", outcome.pages, outcome.seconds)


# Under `mkdocs serve`, search is indexed beside the preview, never in its way.
SEARCH = BackgroundIndex(_report_index)


def _answer(modified: bool) -> Callable[[], bool]:
    return lambda: modified


def _no_dirty_caution(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("A 'dirty' build is being performed")


class KaizenPortalPlugin(BasePlugin[KaizenPortalConfig]):
    serving = False
    indexed_at_exit = False  # `mkdocs build` and `gh-deploy`: Pagefind runs in on_shutdown
    unindexed: Path | None = None  # a built site whose index on_shutdown still owes
    relay: watch.SaveRelay | None = None  # `mkdocs serve`: how saves reach MkDocs' watcher
    dirty = False  # `mkdocs serve --dirty`: only the pages a save changed are rendered
    plan: preview.Plan | None = None
    dashboard = ""
    generated: set[str] = set()  # noqa: RUF012 - replaced per build, never mutated in place
    pinned_epoch: str | None = None  # the SOURCE_DATE_EPOCH this plugin set, not the caller
    site_name = "Experiments"  # as mkdocs.yml spells it; the portal's pages escape it themselves

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Drafts belong to the live preview only; any build that could be published hides them.
        self.serving = command == "serve"
        self.indexed_at_exit = command in ("build", "gh-deploy")
        self.dirty = self.serving and dirty
        if self.dirty:  # its caution is about pages MkDocs cannot know changed; these it can
            logging.getLogger("mkdocs.commands.build").addFilter(_no_dirty_caution)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        self.project = Path(config.config_file_path or ".").parent.resolve()
        # MkDocs dates the sitemap (and its gzip) from SOURCE_DATE_EPOCH, else the clock; the
        # last commit's date, unless the caller set one, makes a commit's builds identical.
        if os.environ.get(git_dates.EPOCH_VARIABLE) in (None, self.pinned_epoch):
            c = self.config
            inputs = [c.experiments_dir, c.site_config_dir, c.data_dir, c.templates_dir]
            inputs += [config.docs_dir, config.config_file_path, config.theme.custom_dir]
            found = [self.project / path for path in inputs if path]
            self.pinned_epoch = git_dates.pin_build_date(os.environ, self.project, found)
        # The theme prints these into HTML unescaped; like any input, they stay text.
        self.site_name = config.site_name
        self.strict = bool(config.strict)
        for key in ("site_name", "site_description", "site_author"):
            if config[key]:
                config[key] = html.escape(config[key])
        if STYLESHEET not in config.extra_css:
            config.extra_css.insert(0, STYLESHEET)
        present = [str(script) for script in config.extra_javascript]
        config.extra_javascript.extend(script for script in SCRIPTS if script not in present)
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        self.plan = None  # `mkdocs serve` keeps the plugin from one build to the next
        if not self.config.enabled:
            return None
        if self.serving:
            IDLE.build_started()
        templates = self._templates_dir()
        layout = ProjectLayout(
            self.config.experiments_dir, self.config.site_config_dir, self.config.data_dir
        )
        options = PageOptions(
            pages_dir=self.config.pages_dir.strip("/"),
            directory_urls=config.use_directory_urls,
            template_dir=templates,
            site_url=config.site_url or "",
            site_name=self.site_name,
            as_of=git_dates.epoch_date(os.environ),
        )
        try:
            # A one-off build keeps nothing: what the memo holds is freed before MkDocs
            # renders the pages, when its memory peaks.
            memo = MEMO if self.serving else Memo()
            result = build(Inputs(self.project, layout, self._audience(), memo), options)
        except TemplateFailure as failure:
            # A template every page of its kind uses: no page of it can be made.
            raise PluginError(failure.located(self.project)) from None
        # MkDocs would swallow broken front-matter silently; every problem is logged as
        # an error instead, so `--strict` fails and a plain build says it loudly.
        for problem in result.portfolio.problems:
            log.error(problem.format())
        for warning in result.portfolio.warnings:
            log.warning(warning.format())
        if result.portfolio.problems:
            unpublished = not_published(
                len(result.portfolio.broken_paths), result.portfolio.files_seen
            )
            log.error("%s; see %s/needs-attention/", unpublished, self.config.pages_dir)
        for path in result.hidden:
            log.info("%s is not published in this build (its visibility)", printable(path))
        for generated in result.files:
            self._replace(files, config, generated)
        # Pages whose HTML the portal rendered itself; see html_stash.py.
        self.generated = {g.uri for g in result.files if g.uri.endswith(".md")}
        self.stashed: dict[str, dict[str, str]] = {}
        for uri, source in static_files().items():
            files.append(File.generated(config, uri, abs_src_path=str(source)))
        self.dashboard = result.dashboard
        if files.get_file_from_path(HOME_URI) is None:
            files.append(File.generated(config, HOME_URI, content=default_home(self.site_name)))
        if self.dirty:
            self._skip_unchanged(files, config, result)
        return files

    def _skip_unchanged(self, files: Files, config: MkDocsConfig, result: Build) -> None:
        """Tells MkDocs which pages are as the last build wrote them (see preview.py)."""
        self.frame = frame = preview.frame_digest(
            Path(path) for path in (config.config_file_path, config.theme.custom_dir) if path
        )
        pages = files.documentation_pages()
        self.digests = {f.src_uri: preview.page_digest(self._source(f), frame) for f in pages}
        self.dests = {f.src_uri: f.abs_dest_path for f in pages}
        self.sources = {g.uri: g.source for g in result.files if g.source}
        self.plan = preview.plan(WRITTEN, config.site_dir, self.digests)
        for file in pages:  # MkDocs asks the file, and a generated one always says yes
            file.is_modified = _answer(file.src_uri not in self.plan.unchanged)  # type: ignore[method-assign]
        # The last good page of a write-up broken by the save stays, as the preview had it.
        broken = set(result.portfolio.broken_paths)
        for uri in [u for u in self.plan.gone if WRITTEN.sources.get(u) in broken]:
            del self.plan.gone[uri]
            self.digests[uri], self.dests[uri] = WRITTEN.digests[uri], WRITTEN.dests[uri]
            self.sources[uri] = WRITTEN.sources[uri]

    def _source(self, file: File) -> str:
        """A page's Markdown as the plugin makes it: the generated text, or the docs file
        and, for the home page, the dashboard that goes into it."""
        if file.generated_by:
            return file.content_string
        stamp = os.stat(file.abs_src_path or "")
        extra = self.dashboard if file.src_uri == HOME_URI else ""
        return f"{file.abs_src_path}:{stamp.st_size}:{stamp.st_mtime_ns}:{extra}"

    def _templates_dir(self) -> Path | None:
        try:
            return templates_folder(self.project, self.config.templates_dir)
        except ValueError as error:
            raise PluginError(printable(str(error))) from None

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> None:
        """A page in the navigation that a dirty build skips still lends the others its
        title, as MkDocs reads it from the page: its front-matter, else its first heading."""
        if self.plan is None:
            return
        for page in nav.pages:
            if page.file.src_uri in self.plan.unchanged:
                page.read_source(config)
                if not page.meta.get("title"):
                    page.render(config, files)

    def on_env(
        self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment | None:
        if self.plan is not None:  # a dirty preview: Material's templates compiled once
            env.bytecode_cache = THEME_CODE.for_frame(self.frame)
        return env

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if not self.config.enabled:
            return None
        # The dashboard's links are relative to the home page, so only there.
        if page.file.src_uri == HOME_URI:
            markdown = with_dashboard(markdown, self.dashboard)
        if page.file.src_uri in self.generated or page.file.src_uri == HOME_URI:
            markdown, self.stashed[page.file.src_uri] = html_stash.hide(markdown)
        return markdown

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if not self.config.enabled:
            return None
        html = html_stash.restore(html, self.stashed.pop(page.file.src_uri, {}))
        # Raw HTML in a write-up may format, never run: see sanitize.py for the policy.
        if page.file.src_uri in self.generated:
            clean_toc(page.toc)
        return clean_writeup(html)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        if self.plan is not None:  # a dirty live preview: this build's pages are the last
            preview.remove(self.plan.gone, config.site_dir)
            WRITTEN.site_dir, WRITTEN.digests = config.site_dir, self.digests
            WRITTEN.dests, WRITTEN.sources = self.dests, self.sources
        if self.serving:
            IDLE.build_ended()
        # A project that keeps Material's search plugin keeps its search; search.js then
        # leaves Material's search box alone too.
        if "material/search" in config.plugins:
            log.info("Material's search plugin is enabled: no Pagefind index is built")
            return
        # Under `mkdocs serve` (whose site_dir is a temporary folder) in the background.
        if self.serving:
            SEARCH.request(Path(config.site_dir))
        elif self.indexed_at_exit:  # once MkDocs has let go of the pages: see on_shutdown
            self.unindexed = Path(config.site_dir)
        else:  # a caller that never says the command ends
            self._index(Path(config.site_dir), strict=False)

    def on_build_error(self, *, error: Exception) -> None:
        self.unindexed = None  # a failed build publishes nothing to search
        if self.serving:
            IDLE.build_ended()

    @event_priority(-100)  # last: a failed index stops the command, after other plugins
    def on_shutdown(self) -> None:
        """The preview stops watching, or a one-off build gets its index. Pagefind holds
        every page's words at once (about a gigabyte at 5,000 experiments), and MkDocs
        holds every page until its build returns: one after the other, the build needs
        room for the larger alone. MkDocs counts errors toward ``--strict`` only until
        then, so here a failed index under ``--strict`` stops the command itself."""
        if self.relay is not None:
            self.relay.stop()
        if self.serving:  # before MkDocs removes the folder Pagefind writes into
            SEARCH.stop()
        site, self.unindexed = self.unindexed, None
        if site is not None:
            heap.release_memory()
            log.info("Indexing the built site for search")
            self._index(site, strict=self.strict)

    @staticmethod
    def _index(site: Path, *, strict: bool) -> None:
        try:
            _report_index(index_site(site))
        except SearchIndexError as error:
            _report_index(error)
            if strict:
                raise Abort("Aborted in strict mode: the search index was not built") from None

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder
    ) -> LiveReloadServer | None:
        if not self.config.enabled:
            return None
        # `mkdocs serve --clean` starts as a build: its rebuilds are indexed as they are made.
        self.indexed_at_exit = False
        if self.unindexed is not None:
            self._index(self.unindexed, strict=False)
            self.unindexed = None
        # `mkdocs serve` watches only docs_dir and mkdocs.yml by default; the override
        # templates and the theme's folder make pages too.
        c = self.config
        named = (c.experiments_dir, c.site_config_dir, c.data_dir, c.templates_dir)
        folders = [self.project / folder for folder in named if folder]
        folders += [Path(config.theme.custom_dir)] if config.theme.custom_dir else []
        polled = [folder for folder in folders if folder.is_dir()]
        if c.preview_file_events:  # see watch.py
            self.relay, polled = watch.SaveRelay.for_folders(polled)
            if self.relay is not None:
                server.watch(str(self.relay.signal))
        for folder in polled:
            server.watch(str(folder))
        # Under site_url's path, as MkDocs serves it: /experiments/ of the README's example
        # site_url puts the index at /experiments/experiments/, not where one would guess.
        index = f"{server.url.rstrip('/')}/{self.config.pages_dir.strip('/')}/"
        log.info("The experiments index is at %s", index)
        return server

    def _audience(self) -> frozenset[Visibility]:
        return audience(self.config.include_internal, drafts=self.serving)

    @staticmethod
    def _replace(files: Files, config: MkDocsConfig, generated: GeneratedFile) -> None:
        existing = files.get_file_from_path(generated.uri)
        if existing is not None:
            log.warning(
                "the generated %s replaces the file of the same name in docs", generated.uri
            )
            files.remove(existing)
        # Experiment pages stay out of the navigation: every page embeds the whole nav,
        # so listing them would grow the site with the square of their number.
        inclusion = InclusionLevel.UNDEFINED if generated.in_nav else InclusionLevel.NOT_IN_NAV
        files.append(
            File.generated(config, generated.uri, content=generated.content, inclusion=inclusion)
        )
