/* Kaizen portal search: a search box in Material's header, backed by Pagefind.
 *
 * The plugin indexes the built site with Pagefind (search.py) and serves this script
 * with every page, so the box is put in place from here rather than by a theme override:
 * a portal adopted in another repository gets it without this repo's theme/ folder.
 *
 * The box is a plain button where Material's search box sits. Pagefind's Component UI
 * (its JS and CSS, then its WebAssembly and the index chunks a query needs) is fetched
 * only when the reader opens search: a click, or the keys Material uses ("/", "s", "f")
 * and Pagefind's Ctrl/Cmd+K. Results show in Pagefind's modal dialog (full screen on
 * phones), which follows the palette through the --pf-* variables in kaizen.css and is
 * closed again when Material's instant navigation has opened a result.
 *
 * If Material's own search plugin is enabled, its box stays and this script does nothing.
 */
(function () {
  "use strict";

  /* This file is <site>/assets/kaizen/search.js, so the site root is two folders up, whatever
   * the base path the site is served under and the page the reader is on. */
  var ROOT = new URL("../../", document.currentScript.src);
  var BUNDLE = new URL("pagefind/", ROOT).href;
  var KEYS = ["/", "s", "f"];
  var ICON =
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true">' +
    '<path d="M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 ' +
    "1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 " +
    '2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5"/></svg>';
  /* Pagefind's default result template, with one line added: {{ }} writes text, escaped. */
  var RESULT = [
    '<li class="pf-result"><div class="pf-result-card"><div class="pf-result-content">',
    '<p class="pf-result-title"><a class="pf-result-link" href="{{ meta.url | default(url) | safeUrl }}">{{ meta.title }}</a></p>',
    '{{#if meta.outcome}}<p class="kz-search-outcome">{{#if meta.status}}{{ meta.status }} · {{/if}}{{ meta.outcome }}</p>{{/if}}',
    '{{#if excerpt}}<p class="pf-result-excerpt">{{+ excerpt +}}</p>{{/if}}',
    "</div></div></li>"
  ].join("");
  var RANKING_PAGE_LENGTH = 0.25; // Pagefind's default is 0.75
  var loading = null;
  var modal = null;

  function fetched(element) {
    return new Promise(function (resolve, reject) {
      element.onload = resolve;
      element.onerror = function () {
        element.remove();
        reject(new Error("could not load " + (element.src || element.href)));
      };
      document.head.appendChild(element);
    });
  }

  /* Pagefind's Component UI, once: its stylesheet too, so the dialog never shows unstyled. */
  function load() {
    if (!loading) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = BUNDLE + "pagefind-component-ui.css";
      var js = document.createElement("script");
      js.type = "module";
      js.src = BUNDLE + "pagefind-component-ui.js";
      loading = Promise.all([fetched(css), fetched(js)])
        .then(function () {
          return window.customElements.whenDefined("pagefind-modal");
        })
        .catch(function (error) {
          loading = null;
          throw error;
        });
    }
    return loading;
  }

  function dialog() {
    if (!modal) {
      /* Result URLs are paths from the site root ("/experiments/exp-2025-012/"): the base
       * URL puts them under the path the site is served from. */
      /* Pagefind favours short pages by default, and a listing page (a tag, a team) is
       * short: weighed less by length, an experiment that is about the words ranks above
       * the listings that merely name them. */
      window.PagefindComponents.configureInstance("default", {
        bundlePath: BUNDLE,
        baseUrl: ROOT.pathname,
        ranking: { pageLength: RANKING_PAGE_LENGTH }
      });
      modal = document.createElement("pagefind-modal");
      modal.className = "kz-search-dialog";
      document.body.append(modal);
      /* One entry per page: every write-up has the same sections (Background, Design...),
       * so Pagefind's matches per section would repeat them under each result. Set once
       * the modal has built its parts ("true": a changed empty attribute reads as off). */
      var results = modal.querySelector("pagefind-results");
      if (results) {
        /* Pagefind's own result, with what an experiment page says of itself (its status
         * and its outcome, read from the page's data-pagefind-meta) under the title. The
         * modal has built its results list already, so it is told to read it again. */
        var template = document.createElement("script");
        template.type = "text/pagefind-template";
        template.textContent = RESULT;
        results.appendChild(template);
        if (typeof results.checkForTemplates === "function") results.checkForTemplates();
        results.setAttribute("hide-sub-results", "true");
      }
    }
    return modal;
  }

  /* What the reader types while the UI loads goes into its input once it is open. */
  var typed = null;

  function open() {
    if (typed !== null) return;
    typed = "";
    var button = document.querySelector(".kz-search");
    if (button) button.setAttribute("aria-busy", "true");
    load()
      .then(function () {
        if (typed === null) return; // Escape while it loaded
        var search = dialog();
        search.open();
        /* The last query stays, selected, so that typing replaces it. */
        var input = search.querySelector("input");
        if (!input) return;
        if (typed) {
          input.value = typed;
          input.dispatchEvent(new Event("input", { bubbles: true }));
        } else {
          input.select();
        }
      })
      .catch(function (error) {
        console.error("Search is unavailable: " + error.message);
      })
      .finally(function () {
        typed = null;
        if (button) button.removeAttribute("aria-busy");
      });
  }

  function buffer(event) {
    if (event.key === "Escape") typed = null;
    else if (event.key === "Backspace") typed = typed.slice(0, -1);
    else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey) typed += event.key;
    else return;
    event.preventDefault();
  }

  function isOpen() {
    return Boolean(modal && modal.isOpen);
  }

  /* The box, where Material puts its own: after the palette toggle, before the repository. */
  function place() {
    var header = document.querySelector(".md-header__inner");
    if (!header || header.querySelector(".kz-search")) return;
    if (document.querySelector("[data-md-component=search]")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "kz-search";
    button.setAttribute("aria-label", "Search");
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("aria-keyshortcuts", "/ S F Control+K Meta+K");
    button.innerHTML =
      ICON + '<span class="kz-search__label">Search</span><kbd class="kz-search__key">/</kbd>';
    button.addEventListener("click", open);
    /* Focus (Tab) already starts the download, so the dialog opens at once on Enter. */
    button.addEventListener("focus", function () {
      load().catch(function () {});
    });
    header.insertBefore(button, header.querySelector(".md-header__source"));
  }

  function typing(target) {
    return (
      target.isContentEditable ||
      (target.closest && target.closest("input, select, textarea, [contenteditable]"))
    );
  }

  document.addEventListener("keydown", function (event) {
    if (typed !== null) return buffer(event);
    if (isOpen() || typing(event.target) || !document.querySelector(".kz-search")) return;
    var key = event.key.toLowerCase();
    var shortcut =
      event.ctrlKey || event.metaKey
        ? key === "k" && !event.altKey && !event.shiftKey
        : !event.altKey && KEYS.indexOf(key) >= 0;
    if (!shortcut) return;
    event.preventDefault();
    open();
  });

  /* Material's document$ emits on the first load and after every instant navigation,
   * including the one a click on a result starts. */
  function onPage() {
    place();
    if (isOpen()) modal.close();
  }

  if (window.document$) {
    window.document$.subscribe(onPage);
  } else {
    document.addEventListener("DOMContentLoaded", onPage);
  }
})();
