/* Kaizen portal charts.
 *
 * Every page may carry figures as JSON in `data-figure` attributes of `.kz-chart`
 * elements. This script loads the site's single copy of plotly.js the first time a page
 * has one, draws them with the look of the current Material palette and the colours the
 * stylesheet gives each meaning (a figure names them as `var(--kz-win)`), and repaints
 * them when the reader toggles light/dark. It runs on Material's `document$`, which emits on
 * the first load and after every instant navigation.
 *
 * It also drives `select[data-kz-section-filter]`: a select that shows one of a page's
 * `[data-kz-section]` blocks of charts (the timeline's teams), kept in the URL query.
 */
(function () {
  "use strict";

  var PLOTLY_URL = new URL("plotly-basic.min.js", document.currentScript.src).href;
  var NEAR = 400; // px: start loading plotly.js and drawing a chart this far off screen
  var CONFIG = { responsive: true, displayModeBar: false };
  var loading = null;

  // plotly.js itself, not an element that took its name as an id (ids become globals).
  function loaded() {
    return window.Plotly && typeof window.Plotly.newPlot === "function" ? window.Plotly : null;
  }

  function loadPlotly() {
    if (loaded()) return Promise.resolve(loaded());
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = PLOTLY_URL;
        script.onload = function () { resolve(loaded()); };
        script.onerror = function () {
          loading = null;
          reject(new Error("could not load " + PLOTLY_URL));
        };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  /* The palette's colours, read from Material's CSS variables on <body>. */
  function look(layout) {
    var css = getComputedStyle(document.body);
    var color = function (name) { return css.getPropertyValue(name).trim(); };
    var update = {
      paper_bgcolor: color("--md-default-bg-color"),
      plot_bgcolor: color("--md-default-bg-color"),
      "font.color": color("--md-default-fg-color"),
      "font.family": css.fontFamily,
      "font.size": 13,
      "legend.bgcolor": "rgba(0,0,0,0)",
      "hoverlabel.font.family": css.fontFamily
    };
    Object.keys(layout).forEach(function (key) {
      if (/^[xy]axis\d*$/.test(key)) {
        update[key + ".gridcolor"] = color("--md-default-fg-color--lightest");
        update[key + ".zerolinecolor"] = color("--md-default-fg-color--light");
        update[key + ".linecolor"] = color("--md-default-fg-color--lighter");
      }
    });
    return update;
  }

  function apply(layout, update) {
    Object.keys(update).forEach(function (path) {
      var parts = path.split(".");
      var node = layout;
      parts.slice(0, -1).forEach(function (part) {
        node[part] = node[part] || {};
        node = node[part];
      });
      node[parts[parts.length - 1]] = update[path];
    });
    return layout;
  }

  /* Colours named by meaning, as `var(--kz-win)`, become the stylesheet's current value;
   * `rgba(var(--kz-win), 0.2)` a tint of it. */
  var NAMED_COLOUR = /^var\((--[\w-]+)\)$/;
  var TINTED_COLOUR = /^rgba\(var\((--[\w-]+)\), *([\d.]+)\)$/;

  function tint(colour, opacity) {
    var context = document.createElement("canvas").getContext("2d");
    context.fillStyle = colour; // reads back as #rrggbb for any opaque colour
    var hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(context.fillStyle);
    if (!hex) return colour;
    var channels = hex.slice(1).map(function (pair) { return parseInt(pair, 16); });
    return "rgba(" + channels.join(",") + "," + opacity + ")";
  }

  function resolve(value, css) {
    if (typeof value === "string") {
      var named = NAMED_COLOUR.exec(value);
      if (named) return css.getPropertyValue(named[1]).trim();
      var tinted = TINTED_COLOUR.exec(value);
      return tinted ? tint(css.getPropertyValue(tinted[1]).trim(), tinted[2]) : value;
    }
    if (Array.isArray(value)) return value.map(function (item) { return resolve(item, css); });
    if (value && typeof value === "object") {
      var copy = {};
      Object.keys(value).forEach(function (key) { copy[key] = resolve(value[key], css); });
      return copy;
    }
    return value;
  }

  /* The figure in the palette shown now: its named colours and the page's look. */
  function painted(element) {
    var figure = resolve(JSON.parse(element.dataset.figure), getComputedStyle(document.body));
    var layout = apply(figure.layout || {}, look(figure.layout || {}));
    layout.autosize = true;
    return { figure: figure, layout: layout };
  }

  function draw(Plotly, element) {
    var current = painted(element);
    var figure = current.figure;
    return Plotly.newPlot(element, figure.data, current.layout, CONFIG).then(function () {
      element.classList.add("kz-chart--drawn");
      if (figure.clickable) {
        element.on("plotly_click", function (event) {
          var point = event.points && event.points[0];
          var target = point && point.customdata && point.customdata[0];
          if (target) window.location.href = new URL(target, window.location.href).href;
        });
      }
    });
  }

  function drawWhenLoaded(element) {
    loadPlotly().then(function (Plotly) {
      return draw(Plotly, element);
    }).catch(function (error) {
      element.classList.add("kz-chart--failed");
      console.error("Kaizen chart failed to draw", error);
    });
  }

  /* plotly.js is most of a chart page's weight: it is fetched only when the first chart
   * comes near the screen, and each chart is drawn as it does. */
  var watcher = "IntersectionObserver" in window ? new IntersectionObserver(function (seen) {
    seen.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      watcher.unobserve(entry.target);
      drawWhenLoaded(entry.target);
    });
  }, { rootMargin: NEAR + "px" }) : null;

  function render() {
    var charts = document.querySelectorAll(".kz-chart[data-figure]:not(.kz-chart--drawn)");
    charts.forEach(function (element) {
      if (watcher) watcher.observe(element);
      else drawWhenLoaded(element);
    });
  }

  function resizeVisible() {
    if (!loaded()) return;
    document.querySelectorAll(".kz-chart--drawn").forEach(function (element) {
      if (element.offsetParent) window.Plotly.Plots.resize(element);
    });
  }

  function sectionFilters() {
    document.querySelectorAll("select[data-kz-section-filter]").forEach(function (select) {
      var key = select.dataset.kzSectionFilter;
      var sections = document.querySelectorAll("[data-kz-section]");
      function apply() {
        sections.forEach(function (section) {
          section.hidden = Boolean(select.value) && section.dataset.kzSection !== select.value;
        });
        var url = new URL(window.location.href);
        if (select.value) url.searchParams.set(key, select.value);
        else url.searchParams.delete(key);
        window.history.replaceState(window.history.state, "", url.href);
        resizeVisible();
      }
      var wanted = new URL(window.location.href).searchParams.get(key);
      var known = Array.prototype.some.call(select.options, function (option) {
        return option.value === wanted;
      });
      if (wanted && known) select.value = wanted;
      select.addEventListener("change", apply);
      apply();
    });
  }

  function onPage() {
    sectionFilters();
    render();
  }

  /* Material switches palettes by changing this attribute on <body>. */
  new MutationObserver(function () {
    if (!loaded()) return;
    document.querySelectorAll(".kz-chart--drawn").forEach(function (element) {
      var current = painted(element);
      window.Plotly.react(element, current.figure.data, current.layout, CONFIG);
    });
  }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  /* The page's charts are already in the document when this script runs (it comes last):
   * watching them now, not once the whole page is ready, starts a chart near the top of
   * the page drawing some hundreds of milliseconds sooner. */
  render();
  /* A chart near the first screen needs plotly.js now: asked for here, it is evaluated
   * before the observer's first report, and on a desktop the page's preload link has
   * already fetched it. */
  var first = document.querySelector(".kz-chart[data-figure]");
  if (first && first.getBoundingClientRect().top < window.innerHeight + NEAR) {
    loadPlotly().catch(function () {}); // each chart reports its own failure
  }
  if (window.document$) {
    window.document$.subscribe(onPage);
  } else {
    document.addEventListener("DOMContentLoaded", onPage);
  }
})();
