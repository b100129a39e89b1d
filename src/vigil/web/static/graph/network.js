/* The network graph: Cytoscape.js over /ui/network/neighbours.json. No inline code or styles
   (CSP default-src 'self'); text is inserted with textContent only. */
(function () {
  "use strict";
  var box = document.getElementById("network-graph");
  if (!box || typeof window.cytoscape !== "function") { return; }
  var panel = document.getElementById("network-evidence-body");
  var hint = document.getElementById("network-evidence-hint");
  var expanded = {};

  var cy = window.cytoscape({
    container: box,
    wheelSensitivity: 0.3,
    maxZoom: 2,
    style: [
      { selector: "node", style: { "label": "data(label)", "font-size": 9, "text-wrap": "ellipsis",
        "text-max-width": 110, "background-color": "#5b7083", "width": 18, "height": 18, "color": "#1c2733" } },
      { selector: "node[?designated]", style: { "background-color": "#b3261e", "shape": "diamond", "width": 24, "height": 24 } },
      { selector: "node[source = 'dprk_mission']", style: { "background-color": "#7a5c00", "shape": "round-rectangle" } },
      { selector: "node[?registry]", style: { "background-color": "#1f6f43", "shape": "round-rectangle" } },
      { selector: "node[?start]", style: { "border-width": 3, "border-color": "#111" } },
      { selector: "edge", style: { "width": "mapData(weight, 0, 1, 1, 4)", "line-color": "#98a2ad",
        "curve-style": "bezier", "target-arrow-shape": "none" } },
      { selector: "edge[?shared]", style: { "line-style": "dashed" } },
      { selector: ":selected", style: { "background-color": "#0b57d0", "line-color": "#0b57d0" } }
    ]
  });

  function say(entries) {
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    entries.forEach(function (pair) {
      var dt = document.createElement("dt"); dt.textContent = pair[0];
      var dd = document.createElement("dd"); dd.textContent = pair[1];
      panel.appendChild(dt); panel.appendChild(dd);
    });
    if (hint) { hint.textContent = ""; }
  }

  function addNode(n, isStart) {
    if (cy.getElementById(n.id).length) { return; }
    cy.add({ group: "nodes", data: { id: n.id, label: n.name, name: n.name, source: n.source || "",
      schema: n.schema || "", designated: !!n.designated, start: !!isStart,
      registry: String(n.source || "").indexOf("registry:") === 0, degree: n.degree || 0 } });
  }

  function expand(id, isStart) {
    if (expanded[id]) { return; }
    expanded[id] = true;
    fetch("/ui/network/neighbours.json?party=" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.error) { say([["Error", data.detail || data.error]]); return; }
        addNode(data.node, isStart);
        data.neighbours.forEach(function (n) { addNode(n, false); });
        data.edges.forEach(function (e) {
          var key = [e.source, e.target].sort().join("|");
          if (cy.getElementById(key).length) { return; }
          var shared = e.evidence.every(function (x) { return String(x.kind).indexOf("shared_") === 0; });
          cy.add({ group: "edges", data: { id: key, source: e.source, target: e.target, weight: e.weight,
            shared: shared, evidence: e.evidence } });
        });
        var shown = data.neighbours.length < data.total_neighbours ?
          " (" + data.neighbours.length + " of " + data.total_neighbours + " links shown)" : "";
        cy.layout({ name: "cose", animate: false, fit: true, padding: 20 }).run();
        if (!isStart) { say([[data.node.name, data.node.id + shown]]); }
      })
      .catch(function () { say([["Error", "could not load the neighbours"]]); });
  }

  cy.on("tap", "node", function (evt) {
    var d = evt.target.data();
    say([[d.name, d.id], ["Type", d.schema + " · " + d.source], ["Designated", d.designated ? "yes" : "no"]]);
    expand(d.id, false);
  });
  cy.on("tap", "edge", function (evt) {
    var d = evt.target.data();
    var a = cy.getElementById(d.source).data("name"), b = cy.getElementById(d.target).data("name");
    var rows = [[a + " — " + b, "link weight " + d.weight]];
    d.evidence.forEach(function (e) {
      rows.push([e.kind + " (" + e.direction + ")", String(e.evidence) + (e.share != null ? " · " + e.share + " %" : "")]);
    });
    say(rows);
  });
  expand(box.getAttribute("data-party"), true);
})();
