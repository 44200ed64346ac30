/* Kaizen portal: filters and sorting for the experiments index.
 *
 * The server renders every row, each carrying what the filters match on as data-kz-*
 * attributes, so this script never builds HTML: it hides rows and reorders them. The view
 * lives in the query string (?team=Web&status=running&text=checkout&sort=lift&dir=desc),
 * so a link opens the same view; the free text is `text`, because Material opens its own
 * search dialog for a `q`. It runs on Material's `document$`, which emits on the first
 * load and after every instant navigation, and binds only to elements inside the page
 * content, which navigation replaces, so no listener outlives its page.
 */
(function () {
  "use strict";

  var SELECTS = ["team", "status", "decision", "tag", "metric", "owner"];
  var FILTERS = SELECTS.concat(["from", "to", "text"]);
  var TYPING_DELAY = 150; // ms: filter once the reader pauses, not on every key
  /* A class of our own rather than the `hidden` attribute: Material has sibling rules on it
   * (`[hidden] + x`, `:not([hidden]) ~ x`), so toggling `hidden` on a row makes the browser
   * re-check the rows after it; over thousands of rows that was several times slower. */
  var FILTERED_OUT = "kz-filtered-out";
  var ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
  var DESCENDING_FIRST = ["lift", "result", "date"]; // biggest, best and newest first
  /* Made on the first sort: building a collator costs tens of milliseconds, which every
   * page would pay before its first chart. */
  var collator = null;

  function compareText(x, y) {
    collator = collator || new Intl.Collator("en", { numeric: true, sensitivity: "base" });
    return collator.compare(x, y);
  }

  function firstDirection(key) {
    return DESCENDING_FIRST.indexOf(key) >= 0 ? "desc" : "asc";
  }

  function words(value) {
    return value ? value.split(" ") : [];
  }

  /* Lowercase without accents, so "cafe" finds "Café". */
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function optionLabels(select) {
    var labels = {};
    for (var i = 1; i < select.options.length; i++) {
      labels[select.options[i].value] = select.options[i].text.replace(/ \(\d+\)$/, "");
    }
    return labels;
  }

  function number(value) {
    var parsed = parseFloat(value);
    return isFinite(parsed) ? parsed : null;
  }

  /* Everything filtering and sorting need, read once per page from the data attributes
   * the server wrote on each row; only the free text is matched against what the row shows. */
  function readRows(tbody, form) {
    var metricLabels = optionLabels(form.elements.metric);
    return Array.prototype.map.call(tbody.rows, function (tr, index) {
      var data = tr.dataset;
      var metrics = words(data.kzMetrics);
      var labels = metrics.map(function (name) { return metricLabels[name] || name; });
      var hypothesis = tr.querySelector("a[title]");
      var row = {
        tr: tr,
        index: index,
        out: false,
        team: data.kzTeam || "",
        owner: data.kzOwner || "",
        status: data.kzStatus || "",
        decision: data.kzDecision || "",
        tags: words(data.kzTags),
        metrics: metrics,
        date: data.kzDate || "",
        text: fold([tr.textContent, hypothesis ? hypothesis.title : ""].concat(labels).join(" "))
      };
      row.keys = {
        title: data.kzTitle || "",
        team: row.team,
        owner: row.owner,
        status: number(data.kzStatusRank),
        metric: data.kzPrimary || null,
        lift: number(data.kzLift),
        result: number(data.kzStateRank),
        date: row.date || null
      };
      return row;
    });
  }

  function matches(row, view) {
    if (view.team && row.team !== view.team) return false;
    if (view.status && row.status !== view.status) return false;
    if (view.decision && row.decision !== view.decision) return false;
    if (view.owner && row.owner !== view.owner) return false;
    if (view.tag && row.tags.indexOf(view.tag) < 0) return false;
    if (view.metric && row.metrics.indexOf(view.metric) < 0) return false;
    if (view.from && !(row.date && row.date >= view.from)) return false;
    if (view.to && !(row.date && row.date <= view.to)) return false;
    for (var i = 0; i < view.terms.length; i++) {
      if (row.text.indexOf(view.terms[i]) < 0) return false;
    }
    return true;
  }

  /* Missing values sort last in both directions; ties keep the page's own order. */
  function comparator(key, direction) {
    var sign = direction === "asc" ? 1 : -1;
    return function (a, b) {
      var x = a.keys[key];
      var y = b.keys[key];
      if (x === null || y === null) {
        return x === y ? a.index - b.index : x === null ? 1 : -1;
      }
      var order = typeof x === "string" ? compareText(x, y) : x - y;
      return order ? sign * order : a.index - b.index;
    };
  }

  function setup(root) {
    var form = root.querySelector(".kz-filters");
    var table = root.querySelector("table.kz-index");
    var count = root.querySelector("[data-kz-count]");
    var clear = root.querySelector("[data-kz-clear]");
    var toggle = root.querySelector("[data-kz-toggle]");
    var buttons = table.querySelectorAll("button[data-kz-sort]");
    var rows = readRows(table.tBodies[0], form);
    var total = rows.length.toLocaleString("en");
    var noun = rows.length === 1 ? " experiment" : " experiments";
    var sort = { key: "", direction: "" };
    var typing = null;
    var urlPending = false;

    function view() {
      var current = {};
      FILTERS.forEach(function (name) { current[name] = form.elements[name].value.trim(); });
      current.terms = words(fold(current.text).replace(/\s+/g, " "));
      return current;
    }

    function filter() {
      var current = view();
      var shown = 0;
      rows.forEach(function (row) {
        var out = !matches(row, current);
        if (row.out !== out) {
          row.out = out;
          row.tr.classList.toggle(FILTERED_OUT, out);
        }
        if (!out) shown++;
      });
      count.textContent = "Showing " + shown.toLocaleString("en") + " of " + total + noun;
      var active = FILTERS.filter(function (name) { return current[name]; }).length;
      clear.disabled = !active;
      toggle.textContent = active ? "Filters (" + active + ")" : "Filters";
    }

    function reorder() {
      var ordered = rows.slice();
      ordered.sort(sort.key ? comparator(sort.key, sort.direction) : function (a, b) {
        return a.index - b.index;
      });
      var fragment = document.createDocumentFragment();
      ordered.forEach(function (row) { fragment.appendChild(row.tr); });
      table.tBodies[0].appendChild(fragment);
      Array.prototype.forEach.call(buttons, function (button) {
        var th = button.parentNode;
        if (button.dataset.kzSort === sort.key) {
          th.setAttribute("aria-sort", sort.direction === "asc" ? "ascending" : "descending");
        } else {
          th.removeAttribute("aria-sort");
        }
      });
    }

    /* Other parameters (such as Material's search highlight) are left as they are. */
    function writeUrl() {
      var current = view();
      var params = new URLSearchParams(location.search);
      FILTERS.concat(["sort", "dir"]).forEach(function (name) { params.delete(name); });
      FILTERS.forEach(function (name) { if (current[name]) params.set(name, current[name]); });
      if (sort.key) {
        params.set("sort", sort.key);
        params.set("dir", sort.direction);
      }
      var query = params.toString();
      var url = location.pathname + (query ? "?" + query : "") + location.hash;
      if (url !== location.pathname + location.search + location.hash) {
        history.replaceState(history.state, "", url);
      }
    }

    /* After the next frame: changing the URL makes the browser finish its pending style
     * work at once, so the table paints first and the address bar follows. */
    function writeUrlSoon() {
      if (urlPending) return;
      urlPending = true;
      requestAnimationFrame(function () {
        setTimeout(function () {
          urlPending = false;
          if (root.isConnected) writeUrl(); // unless the reader has navigated away meanwhile
        }, 0);
      });
    }

    function update() {
      if (!root.isConnected) return;
      filter();
      writeUrlSoon();
    }

    function readUrl() {
      var params = new URLSearchParams(location.search);
      SELECTS.forEach(function (name) {
        var select = form.elements[name];
        select.value = params.get(name) || "";
        if (select.selectedIndex < 0) select.value = ""; // a value no experiment has now
      });
      ["from", "to"].forEach(function (name) {
        var value = params.get(name) || "";
        form.elements[name].value = ISO_DATE.test(value) ? value : "";
      });
      form.elements.text.value = params.get("text") || "";
      var key = params.get("sort");
      var direction = params.get("dir");
      var known = Array.prototype.some.call(buttons, function (button) {
        return button.dataset.kzSort === key;
      });
      if (!known) {
        sort.key = sort.direction = "";
      } else {
        sort.key = key;
        var given = direction === "asc" || direction === "desc";
        sort.direction = given ? direction : firstDirection(key);
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(typing);
      update();
    });
    form.addEventListener("change", function (event) {
      if (event.target.name === "text") return; // handled as the reader types
      update();
    });
    form.elements.text.addEventListener("input", function () {
      clearTimeout(typing);
      typing = setTimeout(update, TYPING_DELAY);
    });
    /* On a phone the filters fold away behind this button (the stylesheet hides it elsewhere). */
    toggle.addEventListener("click", function () {
      var open = root.classList.toggle("kz-browse--filters-open");
      toggle.setAttribute("aria-expanded", String(open));
    });
    clear.addEventListener("click", function () {
      clearTimeout(typing);
      form.reset();
      update();
      form.elements.team.focus(); // the button is disabled now; keep keyboard focus in the bar
    });
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function () {
        var key = button.dataset.kzSort;
        if (sort.key === key) {
          sort.direction = sort.direction === "asc" ? "desc" : "asc";
        } else {
          sort.key = key;
          sort.direction = firstDirection(key);
        }
        reorder();
        writeUrlSoon();
      });
    });

    readUrl();
    filter();
    if (sort.key) reorder();
    writeUrlSoon(); // drops parameters that did not apply, so the URL says what is shown
  }

  function init() {
    var root = document.querySelector("[data-kz-browse]");
    if (!root || root.dataset.kzReady) return;
    setup(root);
    root.dataset.kzReady = "true"; // the URL's view is applied: tests and benchmarks wait for it
  }

  if (window.document$) {
    window.document$.subscribe(init);
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
