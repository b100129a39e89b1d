/* The map of a vessel page (/ui/vessels/{key}): land, the vessel's track and its events.
 *
 * Everything comes from this server: Leaflet (static/maritime/leaflet), the land layer
 * (static/maritime/land-50m.geojson, Natural Earth 1:50m) and the vessel's GeoJSON from
 * data-src (the same FeatureCollection as GET /vessels/{key}/track). No tiles, no other host.
 * Text from AIS (names, call signs) is hostile input: popups are built with textContent only.
 * The page's tables hold the same facts for readers without JavaScript.
 */
(function () {
  "use strict";

  var EVENT_COLOURS = {
    encounter: "#c0392b",
    loitering: "#d68910",
    gap: "#6c3483",
    dark_rendezvous: "#922b21",
    port_call: "#1e8449",
    area_entry: "#117864",
    identity_overlap: "#b03a2e"
  };
  var TRACK_COLOURS = ["#1f4e79", "#b9770e", "#7d3c98", "#138d75", "#a93226", "#2e4053"];

  function setStatus(box, text, failed) {
    var status = document.getElementById("vessel-map-status");
    if (status) {
      status.textContent = text;
      status.classList.toggle("error", Boolean(failed));
    }
    box.setAttribute("data-state", failed ? "failed" : "drawn");
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) {
          throw new Error(url + " answered " + response.status);
        }
        return response.json();
      }
    );
  }

  /* Longitudes made continuous along a line, so a track across 180° is not drawn round the world. */
  function unwrap(coordinates) {
    var out = [];
    var shift = 0;
    for (var i = 0; i < coordinates.length; i++) {
      var lon = coordinates[i][0];
      if (i > 0) {
        var previous = coordinates[i - 1][0];
        if (lon - previous > 180) {
          shift -= 360;
        } else if (previous - lon > 180) {
          shift += 360;
        }
      }
      out.push([coordinates[i][1], lon + shift]);
    }
    return out;
  }

  function row(list, label, value) {
    if (value === null || value === undefined || value === "") {
      return;
    }
    var dt = document.createElement("dt");
    dt.textContent = label;
    var dd = document.createElement("dd");
    dd.textContent = typeof value === "object" ? JSON.stringify(value) : String(value);
    list.appendChild(dt);
    list.appendChild(dd);
  }

  function popupOf(props) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement("strong");
    title.textContent = props.title || props.type || "event";
    box.appendChild(title);
    if (props.summary) {
      var p = document.createElement("p");
      p.textContent = props.summary;
      box.appendChild(p);
    }
    var list = document.createElement("dl");
    row(list, "start", props.start);
    row(list, "end", props.end);
    var evidence = props.evidence || {};
    Object.keys(evidence).forEach(function (key) {
      row(list, key.replace(/_/g, " "), evidence[key]);
    });
    box.appendChild(list);
    return box;
  }

  function drawLand(map, url) {
    map.createPane("land").style.zIndex = 250;
    var renderer = L.canvas({ pane: "land", padding: 0.5 });
    return getJSON(url).then(function (land) {
      L.geoJSON(land, {
        pane: "land",
        renderer: renderer,
        interactive: false,
        style: function (feature) {
          return feature.properties.kind === "land"
            ? { stroke: false, fill: true, fillColor: "#ece6d6", fillOpacity: 1 }
            : { color: "#a89f88", weight: 0.8, fill: false };
        }
      }).addTo(map);
    });
  }

  function drawVessel(map, data) {
    var bounds = L.latLngBounds([]);
    var counts = { segments: 0, fixes: 0, events: 0, partners: {} };
    (data.features || []).forEach(function (feature) {
      var props = feature.properties || {};
      var geometry = feature.geometry || {};
      if (props.kind === "segment" && geometry.type === "LineString") {
        var colour = TRACK_COLOURS[(props.segment || 0) % TRACK_COLOURS.length];
        var latlngs = unwrap(geometry.coordinates);
        var line = L.polyline(latlngs, { color: colour, weight: 2.5, opacity: 0.9, className: "vessel-track" });
        line.bindPopup(popupOf({
          title: "MMSI " + props.mmsi + " · segment " + props.segment,
          start: props.start,
          end: props.end,
          evidence: { fixes: props.fixes, drawn: props.drawn }
        }));
        line.addTo(map);
        if (latlngs.length) {
          L.circleMarker(latlngs[0], { radius: 3, color: colour, fillOpacity: 1, className: "track-start" })
            .bindTooltip("first fix " + (props.start || ""))
            .addTo(map);
          L.circleMarker(latlngs[latlngs.length - 1], { radius: 4, color: colour, fillColor: "#fff", fillOpacity: 1 })
            .bindTooltip("last fix " + (props.end || ""))
            .addTo(map);
        }
        bounds.extend(line.getBounds());
        counts.segments += 1;
        counts.fixes += props.drawn || 0;
      } else if (props.kind === "partner" && geometry.type === "LineString") {
        L.polyline(unwrap(geometry.coordinates), {
          color: "#5d6d7e", weight: 2, opacity: 0.8, dashArray: "4 4", className: "partner-track"
        }).bindPopup(popupOf({
          title: "Other ship: MMSI " + props.mmsi,
          start: props.start,
          end: props.end,
          evidence: { fixes: props.fixes, drawn: props.drawn, shown: "around its events with this vessel" }
        }), { maxWidth: 380 }).addTo(map);
        counts.partners[props.mmsi] = true;
      } else if (props.kind === "segment" && geometry.type === "Point") {
        var fix = L.circleMarker([geometry.coordinates[1], geometry.coordinates[0]], {
          radius: 4, color: TRACK_COLOURS[(props.segment || 0) % TRACK_COLOURS.length], className: "vessel-track"
        }).bindPopup(popupOf({ title: "MMSI " + props.mmsi + " · a single fix", start: props.start }));
        fix.addTo(map);
        bounds.extend(fix.getLatLng());
        counts.segments += 1;
        counts.fixes += 1;
      } else if (props.kind === "event") {
        var eventColour = EVENT_COLOURS[props.type] || "#c0392b";
        var layer;
        if (geometry.type === "LineString") {
          layer = L.polyline(unwrap(geometry.coordinates), {
            color: eventColour, weight: 2, dashArray: "6 6", className: "vessel-event event-" + props.type
          });
          geometry.coordinates.forEach(function (c) {
            L.circleMarker([c[1], c[0]], {
              radius: 6, color: eventColour, fillOpacity: 0.6, className: "event-end event-" + props.type + "-end"
            })
              .bindPopup(popupOf(props), { maxWidth: 380 })
              .addTo(map);
          });
        } else if (geometry.type === "Point") {
          layer = L.circleMarker([geometry.coordinates[1], geometry.coordinates[0]], {
            radius: 8, color: eventColour, weight: 2, fillOpacity: 0.5, className: "vessel-event event-" + props.type
          });
        }
        if (layer) {
          layer.bindPopup(popupOf(props), { maxWidth: 380 });
          layer.addTo(map);
          bounds.extend(layer.getBounds ? layer.getBounds() : L.latLngBounds([layer.getLatLng()]));
          counts.events += 1;
        }
      }
    });
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 9 });
    }
    return counts;
  }

  function start() {
    var box = document.getElementById("vessel-map");
    if (!box || !window.L) {
      return;
    }
    box.hidden = false;
    var map = L.map(box, { worldCopyJump: false, minZoom: 1, maxZoom: 15 }).setView([35, 130], 4);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Land: Natural Earth 1:50m · Leaflet");
    L.control.scale({ imperial: false }).addTo(map);
    var land = drawLand(map, box.getAttribute("data-land")).catch(function () {
      return null; /* the track is still worth drawing on the bare sea */
    });
    getJSON(box.getAttribute("data-src"))
      .then(function (data) {
        var counts = drawVessel(map, data);
        return land.then(function () {
          var text = counts.segments
            ? counts.segments + " track segment(s), " + counts.fixes + " fixes drawn, " + counts.events + " event(s)"
            : "No positions of this vessel in the AIS store.";
          var partners = Object.keys(counts.partners).length;
          if (partners) {
            text += "; dashed grey: the other ship of " + partners + " encounter(s) or rendezvous";
          }
          if (data.properties && data.properties.downsampled) {
            text += " (track thinned for display: " + data.properties.fixes + " fixes in the store)";
          }
          setStatus(box, text, false);
        });
      })
      .catch(function (error) {
        setStatus(box, "The map could not be drawn: " + error.message, true);
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
