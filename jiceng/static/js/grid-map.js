// Grid maps (Leaflet, vendored). Settings come from the page's JSON script "grid-map-config":
//   mode "map":  the county's grids from dataUrl, coloured by the chosen measure, with a legend, a township
//                filter, popups, and an optional focus (a case's point or a grid) to zoom to;
//   mode "grid": one grid's polygon (config.grid, a GeoJSON feature) on a small map.
// Without tileUrl the grids are drawn on a plain background: nothing is fetched from outside.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("grid-map-config").textContent);
  var container = document.getElementById("grid-map");
  var status = document.getElementById("grid-map-status");
  var map = L.map(container, { preferCanvas: true, zoomSnap: 0.25, attributionControl: !!config.tileUrl });
  if (config.tileUrl) {
    map.attributionControl.setPrefix(false);
    L.tileLayer(config.tileUrl, { attribution: config.attribution || "", maxZoom: 18 }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  if (config.mode === "grid") {
    var one = L.geoJSON(config.grid, { style: { color: "#b3261e", weight: 2, fillColor: "#b3261e", fillOpacity: 0.12 } });
    one.addTo(map);
    map.fitBounds(one.getBounds(), { padding: [20, 20] });
    return;
  }

  var layer = null;
  var outlines = null;
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    return el("div", "grid-map-legend");
  };
  legend.addTo(map);
  var marker = null;
  var focus = config.focus;
  var township = document.getElementById("id_township");
  var measure = document.getElementById("id_measure");

  function drawLegend(data) {
    var box = legend.getContainer();
    box.replaceChildren(el("div", "fw-bold", data.title + "（件）"));
    data.legend.forEach(function (row) {
      var line = el("div");
      var swatch = el("i");
      swatch.style.background = row.color;
      line.append(swatch, row.label);
      box.append(line);
    });
    box.append(el("div", "text-muted", "虚线框：专属网格"));
  }

  function popup(p) {
    var box = el("div", "grid-map-popup");
    box.append(el("div", "fw-bold", p.name));
    box.append(el("div", "code", p.code + (p.comprehensive ? "" : "　" + p.kind)));
    box.append(el("div", "text-muted", p.township + " " + p.village));
    var counts = el("div");
    counts.append("在办 ", el("strong", p.open ? "text-primary" : "", String(p.open)), " 件　超期 ");
    counts.append(el("strong", p.overdue ? "text-danger" : "", String(p.overdue)), " 件");
    box.append(counts);
    var list = el("ul", "members");
    p.members.forEach(function (m) {
      list.append(el("li", "", m.role + " " + m.name + (m.phone ? " " + m.phone : "")));
    });
    if (!p.members.length) list.append(el("li", "text-muted", "暂无网格员"));
    box.append(list);
    var link = el("a", "", "网格详情及办件 →");
    link.href = p.url;
    box.append(link);
    return box;
  }

  function style(feature) {
    var p = feature.properties;
    var highlighted = focus && focus.grid === p.code;
    if (!p.comprehensive) {
      return { color: "#1971c2", weight: highlighted ? 3 : 1.5, dashArray: "4 3", fillColor: p.color, fillOpacity: 0.5 };
    }
    return {
      color: highlighted ? "#1971c2" : "#868e96",
      weight: highlighted ? 4 : 0.8,
      fillColor: p.color,
      fillOpacity: 0.85,
    };
  }

  function showFocus() {
    if (!focus) return;
    var target = null;
    if (focus.grid) {
      layer.eachLayer(function (l) {
        if (l.feature.properties.code === focus.grid) target = l;
      });
    }
    if (target) target.bringToFront();
    if (focus.lat !== undefined && focus.lon !== undefined) {
      var label = el("div");
      if (focus.url) {
        var a = el("a", "", focus.label);
        a.href = focus.url;
        label.append(a);
      } else {
        label.append(focus.label);
      }
      marker = L.circleMarker([focus.lat, focus.lon], {
        radius: 9,
        color: "#fff",
        weight: 3,
        fillColor: "#1971c2",
        fillOpacity: 1,
      });
      if (target) {
        map.fitBounds(target.getBounds().extend(marker.getLatLng()), { padding: [40, 40], maxZoom: 15 });
      } else {
        map.setView(marker.getLatLng(), 14);
      }
      marker.addTo(map).bindPopup(label).openPopup();
      return;
    }
    if (target) {
      map.fitBounds(target.getBounds(), { padding: [40, 40], maxZoom: 16 });
      target.openPopup();
    }
  }

  function load(zoomTo) {
    var params = new URLSearchParams();
    if (township && township.value) params.set("township", township.value);
    params.set("measure", (measure && measure.value) || config.measure || "open");
    say("正在加载网格……");
    fetch(config.dataUrl + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        if (layer) map.removeLayer(layer);
        if (outlines) map.removeLayer(outlines);
        if (marker) map.removeLayer(marker);
        // Comprehensive grids first, so the smaller 专属网格 lie on top of them.
        data.features.sort(function (a, b) {
          return (b.properties.comprehensive ? 1 : 0) - (a.properties.comprehensive ? 1 : 0);
        });
        layer = L.geoJSON(data, {
          style: style,
          onEachFeature: function (feature, l) {
            var p = feature.properties;
            l.bindTooltip(p.name + "：" + data.title + " " + p.value, { sticky: true });
            l.bindPopup(function () {
              return popup(p);
            });
          },
        }).addTo(map);
        outlines = L.layerGroup(
          data.townships.map(function (t) {
            var line = L.geoJSON(t.geometry, { interactive: false, style: { color: "#343a40", weight: 2.5, fill: false } });
            var name = L.tooltip({ permanent: true, direction: "center", className: "grid-map-township", interactive: false });
            name.setLatLng(t.label).setContent(t.name);
            return L.layerGroup([line, name]);
          })
        ).addTo(map);
        drawLegend(data);
        var total = data.features.reduce(function (sum, f) {
          return sum + f.properties.value;
        }, 0);
        if (!data.features.length) {
          say("没有网格。请先导入网格范围。");
          map.setView([35, 105], 4);
          return;
        }
        say("网格 " + data.features.length + " 个，" + data.title + "合计 " + total + " 件。");
        map.fitBounds(layer.getBounds(), { padding: [10, 10] });
        if (zoomTo) showFocus();
      })
      .catch(function (error) {
        say("网格数据加载失败，请刷新页面重试。");
        if (window.console) console.error(error);
      });
  }

  function changed() {
    focus = null;
    var params = new URLSearchParams();
    if (township && township.value) params.set("township", township.value);
    if (measure && measure.value && measure.value !== "open") params.set("measure", measure.value);
    var query = params.toString();
    history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    load(false);
  }

  if (township) township.addEventListener("change", changed);
  if (measure) measure.addEventListener("change", changed);
  load(true);
})();
