// The console's small behaviours: queue keys, and live refreshes that never eat a half-typed text.
(function () {
  "use strict";

  // ---- live refreshes ------------------------------------------------------------------------
  // [data-live] opens the server's event stream; each "changed" event fires "live" on the hidden
  // elements inside it (hx-trigger="live"), which fetch their page's fragment again. The server
  // sends a "tick" every two seconds: a stream silent for longer is reopened, and the page caught
  // up. If someone is typing inside a fragment, wait: refresh once they send or leave the field.
  var pending = null;
  var STALE_MS = 6000;

  function refreshAll(root) {
    root.querySelectorAll('[hx-trigger="live"]').forEach(function (elt) { htmx.trigger(elt, "live"); });
  }

  function listen(root) {
    var url = root.getAttribute("data-live");
    var source = null;
    var seen = Date.now();
    function open(catchUp) {
      source = new EventSource(url);
      seen = Date.now();
      source.addEventListener("open", function () {
        seen = Date.now();
        if (catchUp) refreshAll(root);
      });
      source.addEventListener("tick", function () { seen = Date.now(); });
      source.addEventListener("changed", function () { seen = Date.now(); refreshAll(root); });
    }
    open(false);
    window.setInterval(function () {
      if (Date.now() - seen > STALE_MS) {
        source.close();
        open(true);
      }
    }, 1000);
    window.addEventListener("pagehide", function () { source.close(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live]").forEach(listen);
  });

  function isLive(elt) {
    return elt && elt.getAttribute && elt.getAttribute("hx-trigger") === "live";
  }

  function typingIn(target) {
    if (!target) return false;
    var active = document.activeElement;
    if (active && target.contains(active) && /^(TEXTAREA|INPUT|SELECT)$/.test(active.tagName)) {
      return true;
    }
    var fields = target.querySelectorAll("textarea, input:not([type=hidden])");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    return false;
  }

  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    if (!isLive(elt)) return;
    var target = document.querySelector(elt.getAttribute("hx-target"));
    if (typingIn(target)) {
      event.preventDefault();
      pending = elt;
      var stale = document.getElementById("queue-stale");
      if (stale) stale.hidden = false;
    }
  });

  // a refresh already on its way when typing began: keep the page, refresh afterwards
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!isLive(elt)) return;
    if (typingIn(event.detail.target)) {
      event.detail.shouldSwap = false;
      pending = elt;
      var stale = document.getElementById("queue-stale");
      if (stale) stale.hidden = false;
    }
  });

  function flushPending() {
    if (!pending) return;
    var elt = pending;
    var target = document.querySelector(elt.getAttribute("hx-target"));
    if (typingIn(target)) return;
    pending = null;
    var stale = document.getElementById("queue-stale");
    if (stale) stale.hidden = true;
    htmx.trigger(elt, "live");
  }

  function scrollEnds(root) {
    (root || document).querySelectorAll(".scroll-end").forEach(function (el) {
      el.scrollTop = el.scrollHeight;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { scrollEnds(); });
  document.addEventListener("htmx:afterSettle", function () { scrollEnds(); });

  document.addEventListener("focusout", function () { setTimeout(flushPending, 0); });

  // what the last action said stays on screen when a live refresh redraws the fragment
  var keptFlash = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    var flashes = event.detail.target && event.detail.target.querySelector(".flashes");
    keptFlash = isLive(elt) && flashes ? flashes.innerHTML : null;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    var id = event.detail.target && event.detail.target.id;
    var fresh = id ? document.getElementById(id) : null;
    if (keptFlash && fresh) {
      var flashes = fresh.querySelector(".flashes");
      if (flashes && !flashes.textContent.trim()) flashes.innerHTML = keptFlash;
    }
    keptFlash = null;
    if (id === "queue-body") queueSwapped();
    if (!isLive(elt) && pending && pending.getAttribute("hx-target") === "#" + id) {
      pending = null;  // an action just redrew this fragment: it is up to date
      var stale = document.getElementById("queue-stale");
      if (stale) stale.hidden = true;
    }
    setTimeout(flushPending, 0);
  });

  // the simulated phone: empty the box after each text, ready for the next
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.classList && form.classList.contains("phone-send") && event.detail.successful) {
      form.reset();
      var box = form.querySelector("input[name=body]");
      if (box) box.focus();
    }
  });

  // the CSV import: say it is working (one request; the report comes back with the page)
  document.addEventListener("submit", function (event) {
    if (event.target.id !== "import-form") return;
    var note = document.getElementById("import-progress");
    if (note) note.hidden = false;
    var go = document.getElementById("import-go");
    if (go) go.disabled = true;
  });

  // the script editor: a located error's link selects its line in the YAML
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-line]");
    var box = document.getElementById("yaml");
    if (!link || !box) return;
    event.preventDefault();
    var lines = box.value.split("\n");
    var line = Math.max(1, Math.min(lines.length, parseInt(link.getAttribute("data-line"), 10)));
    var start = 0;
    for (var i = 0; i < line - 1; i++) start += lines[i].length + 1;
    box.focus();
    box.setSelectionRange(start, start + lines[line - 1].length);
    var lineHeight = box.scrollHeight / Math.max(1, lines.length);
    box.scrollTop = Math.max(0, (line - 5) * lineHeight);
  });

  // ---- the ISA queue: j/k move, a approve, e edit, r reject, Esc back to the list ---------------
  function items() { return Array.prototype.slice.call(document.querySelectorAll(".q-item")); }

  function selectedId() {
    var body = document.getElementById("queue-body");
    return body ? body.getAttribute("data-selected") : "";
  }

  function select(id, focus) {
    var body = document.getElementById("queue-body");
    if (!body || !id) return;
    body.setAttribute("data-selected", id);
    var hidden = document.getElementById("queue-selected");
    if (hidden) hidden.value = id;
    items().forEach(function (li) {
      var on = li.getAttribute("data-id") === String(id);
      li.setAttribute("aria-selected", on ? "true" : "false");
      li.tabIndex = on ? 0 : -1;
      if (on && focus) li.focus();
    });
    document.querySelectorAll(".q-detail").forEach(function (d) {
      d.hidden = d.getAttribute("data-id") !== String(id);
    });
    scrollEnds(document.getElementById("d-" + id));
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "?s=" + id);
    }
  }

  function move(step) {
    var list = items();
    if (!list.length) return;
    var at = list.findIndex(function (li) { return li.getAttribute("data-id") === selectedId(); });
    var next = Math.max(0, Math.min(list.length - 1, (at < 0 ? 0 : at + step)));
    select(list[next].getAttribute("data-id"), true);
  }

  function queueSwapped() {
    var id = selectedId();
    if (id) select(id, document.activeElement === document.body);
  }

  function current(selector) {
    var detail = document.querySelector(".q-detail:not([hidden])");
    return detail ? detail.querySelector(selector) : null;
  }

  document.addEventListener("click", function (event) {
    var li = event.target.closest && event.target.closest(".q-item");
    if (li) select(li.getAttribute("data-id"), true);
  });

  document.addEventListener("keydown", function (event) {
    if (!document.body.classList.contains("queue-page")) return;
    if (event.altKey || event.metaKey) return;
    var tag = event.target.tagName;
    var typing = /^(TEXTAREA|INPUT|SELECT)$/.test(tag);
    if (typing) {
      if (event.key === "Escape") {
        event.target.value = event.target.defaultValue;
        var li = document.getElementById("q-" + selectedId());
        if (li) li.focus();
        event.preventDefault();
      } else if (event.key === "Enter" && event.ctrlKey && tag === "TEXTAREA") {
        event.preventDefault();
        htmx.process(event.target.form);
        htmx.trigger(event.target.form, "submit");
      }
      return;
    }
    if (event.ctrlKey) return;
    var key = event.key;
    if (key === "j" || key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (key === "k" || key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (key === "a") {
      var approve = current("button[data-key=a]");
      if (approve) {
        htmx.process(approve.form);  // a key can come before htmx has wired a fresh swap
        approve.click();
        event.preventDefault();
      }
    } else if (key === "e" || key === "r") {
      var field = current("[data-key=" + key + "]");
      if (field) {
        field.focus();
        if (field.setSelectionRange) field.setSelectionRange(field.value.length, field.value.length);
        event.preventDefault();
      }
    }
  });
})();

// Saved filters on the Leads page: the current query saved under a name in this browser
// (localStorage), picked again from a list. Self-contained; does nothing on other pages.
(function savedFilters() {
  var box = document.getElementById("saved-filters");
  if (!box) return;
  var KEY = "isa.savedFilters";
  var pick = document.getElementById("sf-pick");
  var name = document.getElementById("sf-name");
  var said = document.getElementById("sf-said");
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function current() {
    var kept = new URLSearchParams();
    new URLSearchParams(location.search).forEach(function (value, key) {
      if (value !== "" && key !== "page") kept.append(key, value);
    });
    return kept.toString();
  }
  function fill() {
    var saved = load();
    while (pick.options.length > 1) pick.remove(1);
    Object.keys(saved).sort().forEach(function (n) {
      var option = document.createElement("option");
      option.value = n;
      option.textContent = n;
      if (saved[n] === current() && current() !== "") option.selected = true;
      pick.appendChild(option);
    });
  }
  document.getElementById("sf-save").addEventListener("click", function () {
    var n = name.value.trim();
    if (!n) { said.textContent = "Give the filters a name first."; name.focus(); return; }
    var saved = load();
    saved[n] = current();
    localStorage.setItem(KEY, JSON.stringify(saved));
    name.value = "";
    fill();
    pick.value = n;
    said.textContent = "Saved \u201c" + n + "\u201d.";
  });
  pick.addEventListener("change", function () {
    var saved = load();
    if (!(pick.value in saved)) return;
    var query = saved[pick.value];
    location.href = box.dataset.leads + (query ? "?" + query : "");
  });
  fill();
  box.hidden = false;
})();

// The Leads page's filters: closed in the HTML, so a phone shows the leads first (the
// summary says how many are set); opened beside the list on a wide screen.
(function foldFilters() {
  if (!window.matchMedia("(min-width: 721px)").matches) return;
  document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
})();
