// Vigil screening desk: progressive enhancement only. Every page works without this file.
// Screen: results as you type (fetches /ui/api/search). Batch: progress without reloading.
"use strict";
(function () {
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function setupScreen() {
    var form = document.getElementById("screen-form");
    var body = document.getElementById("results-body");
    var status = document.getElementById("screen-status");
    if (!form || !body || !status) return;
    var timer = null, controller = null, seq = 0;

    function render(data) {
      var rows = document.createDocumentFragment();
      data.results.forEach(function (r) {
        var tr = el("tr", { "class": r.match ? "match" : "near" });
        var score = el("td", { "class": "score" });
        score.appendChild(el("span", { "class": "badge " + (r.match ? "hit" : "miss") }, r.score.toFixed(2)));
        score.appendChild(el("span", { "class": "sr-only" }, r.match ? "match" : "below threshold"));
        tr.appendChild(score);
        var party = el("td");
        party.appendChild(el("a", { href: "/ui/party/" + encodeURIComponent(r.id) }, r.caption));
        party.appendChild(el("div", { "class": "muted" }, r.schema + " \u00b7 matched \u201c" + r.matched_name + "\u201d"));
        tr.appendChild(party);
        var auth = el("td");
        r.refs.forEach(function (ref) { auth.appendChild(el("span", { "class": "tag" }, ref)); auth.appendChild(document.createTextNode(" ")); });
        tr.appendChild(auth);
        tr.appendChild(el("td", { "class": "why" }, r.explanation));
        rows.appendChild(tr);
      });
      body.replaceChildren(rows);
      var n = data.results.length;
      status.textContent = data.q ? n + " result" + (n === 1 ? "" : "s") + " in " + data.ms + " ms" : "Type a name: results appear as you type.";
    }

    function run() {
      var params = new URLSearchParams(new FormData(form));
      var mine = ++seq;
      if (controller) controller.abort();
      controller = new AbortController();
      history.replaceState(null, "", "/ui/screen?" + params.toString());
      if (!params.get("q").trim()) { render({ q: "", results: [], ms: 0 }); return; }
      status.textContent = "Screening\u2026";
      fetch("/ui/api/search?" + params.toString(), { signal: controller.signal, credentials: "same-origin" })
        .then(function (resp) {
          if (resp.status === 401) { window.location = "/ui/login?next=" + encodeURIComponent("/ui/screen?" + params.toString()); throw new Error("login"); }
          if (!resp.ok) return resp.json().then(function (e) { throw new Error(e.detail || resp.statusText); });
          return resp.json();
        })
        .then(function (data) { if (mine === seq) render(data); })
        .catch(function (err) { if (err.name !== "AbortError" && err.message !== "login") status.textContent = "Could not screen: " + err.message; });
    }

    function later() { clearTimeout(timer); timer = setTimeout(run, 120); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function (event) { event.preventDefault(); clearTimeout(timer); run(); });
  }

  function setupBatch() {
    var box = document.getElementById("batch-job");
    if (!box || box.getAttribute("data-state") !== "running") return;
    var bar = document.getElementById("batch-progress");
    var text = document.getElementById("batch-text");
    var link = document.getElementById("batch-download");
    function poll() {
      fetch(box.getAttribute("data-status"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.total) bar.max = s.total;
          bar.value = s.done;
          if (s.state === "done") {
            bar.value = bar.max;
            text.textContent = "Done: " + s.done + " rows screened, " + s.rows_with_hits + " with hits.";
            link.hidden = false;
          } else if (s.state === "failed") {
            text.textContent = "Failed: " + s.error;
          } else {
            text.textContent = "Screening: " + s.done + (s.total ? " of " + s.total : "") + " rows\u2026";
            setTimeout(poll, 400);
          }
        })
        .catch(function () { setTimeout(poll, 1500); });
    }
    poll();
  }

  document.addEventListener("DOMContentLoaded", function () { setupScreen(); setupBatch(); });
})();
