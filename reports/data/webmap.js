/* ILP-GIS web map helpers (inlined into every exported map; no network access). */
var ILP = (function () {
  "use strict";

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  // A popup: title, optional subtitle, a table of (label, value) rows (empty values left out),
  // optional extra HTML (already escaped by the caller).
  function popupHtml(title, sub, labels, values, extra) {
    var h = '<div class="ilp-pop"><div class="ilp-pop-title">' + esc(title) + "</div>";
    if (sub) h += '<div class="ilp-pop-sub">' + esc(sub) + "</div>";
    var rows = "";
    for (var i = 0; i < labels.length; i++) {
      var v = values ? values[i] : null;
      if (v === null || v === undefined || v === "") continue;
      rows += "<tr><th>" + esc(labels[i]) + "</th><td>" + esc(v) + "</td></tr>";
    }
    if (rows) h += "<table>" + rows + "</table>";
    if (extra) h += extra;
    return h + "</div>";
  }

  function shapeSvg(shape, fill, stroke, size, hollow) {
    var s = size, h = s / 2;
    function draw(a) {
      if (shape === "square") return '<rect x="1" y="1" width="' + (s - 2) + '" height="' + (s - 2) + '" ' + a + "/>";
      if (shape === "triangle") return '<polygon points="' + h + ",1 " + (s - 1) + "," + (s - 1) + " 1," + (s - 1) + '" ' + a + "/>";
      if (shape === "diamond") return '<polygon points="' + h + ",1 " + (s - 1) + "," + h + " " + h + "," + (s - 1) + " 1," + h + '" ' + a + "/>";
      if (shape === "cross") return '<path d="M' + h + " 1V" + (s - 1) + "M1 " + h + "H" + (s - 1) + '" ' + a + "/>";
      return '<circle cx="' + h + '" cy="' + h + '" r="' + (h - 1) + '" ' + a + "/>";
    }
    var p;
    if (shape === "cross") {
      var w = Math.max(3, s / 4);
      p = draw('stroke="#000" stroke-opacity="0.7" stroke-width="' + (w + 2) + '"') +
          draw('stroke="' + fill + '" stroke-width="' + w + '"');
    } else if (hollow) {
      // known only by its desa: an outline in the type's colour, nearly empty inside
      p = draw('fill="none" stroke="#000" stroke-opacity="0.7" stroke-width="4.5"') +
          draw('fill="#fff" fill-opacity="0.35" stroke="' + stroke + '" stroke-width="3"');
    } else {
      // a dark halo under the symbol's own edge: readable on any desa colour
      p = draw('fill="none" stroke="#000" stroke-opacity="0.7" stroke-width="3.5"') +
          draw('fill="' + fill + '" stroke="' + stroke + '" stroke-width="1.5"');
    }
    return '<svg xmlns="http://www.w3.org/2000/svg" width="' + s + '" height="' + s + '" viewBox="0 0 ' + s + " " + s +
      '" overflow="visible">' + p + "</svg>";
  }

  var iconCache = {};
  function icon(st) {
    var key = st.shape + st.fill + st.stroke + st.size + (st.hollow ? "o" : "");
    if (!iconCache[key]) {
      iconCache[key] = L.divIcon({
        html: shapeSvg(st.shape, st.fill, st.stroke, st.size, st.hollow), className: "ilp-icon",
        iconSize: [st.size, st.size], iconAnchor: [st.size / 2, st.size / 2]
      });
    }
    return iconCache[key];
  }

  // A layer's GeoJSON, stored in a JSON script block with the id "ilp-data-" + key.
  function data(key) {
    return JSON.parse(document.getElementById("ilp-data-" + key).textContent);
  }

  // Features carrying properties.r = [layer, code] take that layer's geometry (no second copy).
  function resolve(fc, sources) {
    var byCode = {};
    for (var name in sources) {
      var m = {};
      sources[name].features.forEach(function (f) { m[f.properties.c] = f.geometry; });
      byCode[name] = m;
    }
    fc.features.forEach(function (f) {
      var r = f.properties.r;
      if (r && byCode[r[0]]) f.geometry = byCode[r[0]][r[1]] || null;
    });
    fc.features = fc.features.filter(function (f) { return f.geometry; });
    return fc;
  }

  function bindPopup(layer, fn) {
    layer.bindPopup(fn, {maxWidth: 340});
  }

  // Polygons / lines with one style, or a fill colour per feature (properties.col).
  // o.classStyles: options by properties.cl (road classes); o.canvas: drawn on a canvas (many
  // lines draw faster there than as SVG).
  // A map pane drawn above the desa colours and below the markers (o.pane = [name, zIndex]).
  function pane(map, spec) {
    if (!map.getPane(spec[0])) map.createPane(spec[0]).style.zIndex = spec[1];
    return spec[0];
  }

  // o.classMinZoom: a class (properties.cl) is drawn only from that zoom on (minor roads).
  function areaLayer(fc, o) {
    if (o.pane) o = L.extend({}, o, {paneName: pane(o.map, o.pane), pane: null});
    function hidden(f) {
      var z = o.classMinZoom && o.classMinZoom[f.properties.cl];
      return z && o.map && o.map.getZoom() < z;
    }
    function restyle(gj, style) {  // a class shown from a zoom: styles again on every zoom
      if (o.classMinZoom && o.map) o.map.on("zoomend", function () { gj.setStyle(style); });
      return gj;
    }
    if (o.casing) {  // a light casing under each line: roads read on any desa colour
      var casing = function (f) {
        var s = L.extend({}, o.style);
        if (o.classStyles && o.classStyles[f.properties.cl]) L.extend(s, o.classStyles[f.properties.cl]);
        return {color: o.casing, weight: (s.weight || 1) + 2, opacity: hidden(f) ? 0 : 0.75,
                dashArray: null};
      };
      var under = restyle(L.geoJSON(fc, {interactive: false, style: casing,
        renderer: o.canvas ? L.canvas({padding: 0.3, pane: o.paneName || "overlayPane"}) : undefined}),
        casing);
      return L.layerGroup([under, areaLayer(fc, L.extend({}, o, {casing: null}))]);
    }
    var style = function (f) {
      var s = L.extend({}, o.style);
      if (o.classStyles && o.classStyles[f.properties.cl]) L.extend(s, o.classStyles[f.properties.cl]);
      if (o.perFeature && f.properties.col) s.fillColor = f.properties.col;
      if (o.linkStyles && f.properties.l && o.linkStyles[f.properties.l]) {
        s.color = o.linkStyles[f.properties.l].color;
        s.dashArray = o.linkStyles[f.properties.l].dash;
      }
      if (hidden(f)) s.opacity = 0;
      return s;
    };
    var gj = L.geoJSON(fc, {
      interactive: !!o.fields,
      renderer: o.canvas ? L.canvas({padding: 0.3, pane: o.paneName || "overlayPane"}) : undefined,
      pane: o.paneName || "overlayPane",
      style: style,
      onEachFeature: function (f, layer) {
        if (o.tooltip && f.properties.n) layer.bindTooltip(esc(f.properties.n), {sticky: true});
        if (o.labels && f.properties.n) {
          layer.bindTooltip(esc(f.properties.n), {permanent: true, direction: "center",
                                                     className: "ilp-label", interactive: false});
        }
        if (o.fields) {
          bindPopup(layer, function () {
            var labels = o.fields, values = f.properties.p;
            if (o.linkLabels) {
              labels = [o.linkField].concat(labels);
              values = [o.linkLabels[f.properties.l] || f.properties.l].concat(values);
            }
            return popupHtml(f.properties.n, f.properties.s, labels, values);
          });
        }
      }
    });
    return restyle(gj, style);
  }

  function gapExtra(kinds, t, gaps) {
    var h = '<ul class="ilp-gaps">';
    for (var i = 0; i < gaps.length; i++) {
      var k = kinds[gaps[i][0]] || {label: gaps[i][0], explain: ""};
      h += '<li><span class="ilp-swatch" style="background:' + esc(k.fill) + '"></span><b>' + esc(k.label) +
        "</b>" + (gaps[i][1] ? '<div class="ilp-detail">' + esc(gaps[i][1]) + "</div>" : "") +
        (k.explain ? '<div class="ilp-explain">' + esc(k.explain) + "</div>" : "") + "</li>";
    }
    return h + "</ul>";
  }

  // Gaps: one feature per desa/kecamatan/facility; properties.g = [[kind, valueText, note], ...]
  // (most severe first), properties.p = popup values for o.fields.
  function gapLayer(fc, o) {
    return L.geoJSON(fc, {
      style: function (f) {
        var k = o.kinds[f.properties.g[0][0]] || {};
        return {color: k.stroke, weight: k.weight || 1.5, fillColor: "url(#ilp-hatch-" + f.properties.g[0][0] + ")",
                fillOpacity: 1, opacity: 0.9, dashArray: k.dash || null};
      },
      pointToLayer: function (f, latlng) {
        var k = o.kinds[f.properties.g[0][0]] || {};
        return L.circleMarker(latlng, {radius: 9, color: k.stroke || "#000", weight: 2.5,
                                       fillColor: k.fill || "#ff0", fillOpacity: 0.25});
      },
      onEachFeature: function (f, layer) {
        bindPopup(layer, function () {
          return popupHtml(f.properties.n, f.properties.s, o.fields, f.properties.p,
                           gapExtra(o.kinds, o.t, f.properties.g));
        });
      }
    });
  }

  function facilityLayer(fc, o) {
    var gj = L.geoJSON(fc, {
      pointToLayer: function (f, latlng) {
        var st = o.styles && o.styles[f.properties.a] ? o.styles[f.properties.a] :
          f.properties.dl && o.desaLevel ? o.desaLevel : f.properties.pre ? o.precursor : o.style;
        return L.marker(latlng, {icon: icon(st), title: f.properties.n, riseOnHover: true,
                                 zIndexOffset: o.z || 0});
      },
      onEachFeature: function (f, layer) {
        bindPopup(layer, function () {
          return popupHtml(f.properties.n, f.properties.s || o.sub, o.fields, f.properties.p);
        });
      }
    });
    if (!o.cluster || typeof L.markerClusterGroup !== "function") return gj;
    var colour = o.style.fill;
    var group = L.markerClusterGroup({
      maxClusterRadius: 70, disableClusteringAtZoom: 15, showCoverageOnHover: false,
      chunkedLoading: true,
      iconCreateFunction: function (c) {
        var n = c.getChildCount(), d = n < 10 ? 20 : n < 100 ? 26 : 32;
        return L.divIcon({
          html: '<div style="background:' + colour + ';width:' + d + "px;height:" + d + "px;line-height:" + d +
            'px">' + n + "</div>", className: "ilp-cluster", iconSize: [d, d]
        });
      }
    });
    group.addLayer(gj);
    return group;
  }

  // Desa search: a text box with a list of names; Enter zooms to the desa and opens its popup.
  function addSearch(map, fc, o) {
    var index = [];
    for (var i = 0; i < fc.features.length; i++) {
      var f = fc.features[i];
      var label = f.properties.n + (f.properties.k ? " (" + f.properties.k + ")" : "");
      index.push({label: label, key: label.toLowerCase(), name: String(f.properties.n).toLowerCase(), f: f});
    }
    index.sort(function (a, b) { return a.label < b.label ? -1 : a.label > b.label ? 1 : 0; });
    var highlight = null;
    var Search = L.Control.extend({
      options: {position: "topleft"},
      onAdd: function () {
        var div = L.DomUtil.create("div", "ilp-search leaflet-bar");
        var listId = "ilp-desa-list";
        var opts = index.map(function (e) { return '<option value="' + esc(e.label) + '"></option>'; }).join("");
        div.innerHTML = '<input type="search" list="' + listId + '" placeholder="' + esc(o.t.placeholder) +
          '" aria-label="' + esc(o.t.placeholder) + '"><datalist id="' + listId + '">' + opts +
          '</datalist><div class="ilp-search-msg"></div>';
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        var input = div.querySelector("input"), msg = div.querySelector(".ilp-search-msg");
        function go() {
          var q = input.value.trim().toLowerCase();
          msg.textContent = "";
          if (!q) return;
          var hits = index.filter(function (e) { return e.key === q; });
          if (!hits.length) hits = index.filter(function (e) { return e.name === q; });
          if (!hits.length) hits = index.filter(function (e) { return e.key.indexOf(q) >= 0; });
          if (!hits.length) { msg.textContent = o.t.none; return; }
          if (hits.length > 1) msg.textContent = o.t.many.replace("{n}", hits.length);
          var hit = hits[0];
          if (highlight) map.removeLayer(highlight);
          highlight = L.geoJSON(hit.f, {style: o.highlight, interactive: false,
            pointToLayer: function (f, ll) {  // a desa drawn as a dot (national level of detail)
              return L.circleMarker(ll, L.extend({radius: 12}, o.highlight));
            }}).addTo(map);
          var b = highlight.getBounds();
          map.fitBounds(b, {maxZoom: 15, padding: [40, 40]});
          L.popup({maxWidth: 340}).setLatLng(b.getCenter())
            .setContent(popupHtml(hit.f.properties.n, hit.f.properties.s, o.fields, hit.f.properties.p))
            .openOn(map);
        }
        L.DomEvent.on(input, "keydown", function (e) { if (e.key === "Enter") go(); });
        L.DomEvent.on(input, "change", go);
        return div;
      }
    });
    map.addControl(new Search());
  }

  // Area labels (kecamatan names) only from a zoom where they do not pile up.
  function labelsFromZoom(map, zoom) {
    function update() {
      map.getContainer().classList.toggle("ilp-hide-labels", map.getZoom() < zoom);
    }
    map.on("zoomend", update);
    update();
  }

  function addHeader(map, html) {
    var Header = L.Control.extend({
      options: {position: "topleft"},
      onAdd: function () {
        var div = L.DomUtil.create("div", "ilp-header");
        div.innerHTML = html;
        return div;
      }
    });
    map.addControl(new Header());
  }

  function addLegend(map, html) {
    var Legend = L.Control.extend({
      options: {position: "bottomright"},
      onAdd: function () {
        var div = L.DomUtil.create("div", "ilp-legend");
        div.innerHTML = html;
        // on a small screen (a laptop at a meeting, a phone) the legend starts folded
        var details = div.querySelector("details");
        if (details && (window.innerHeight < 700 || window.innerWidth < 700)) details.open = false;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    map.addControl(new Legend());
  }

  // The panels (title, search, layer list, legend) as padding: the district fits between them,
  // and a popup opening under the title card pans down below it.
  function panelPadding(map) {
    var c = map.getContainer(), w = c.clientWidth, h = c.clientHeight;
    function box(sel) {
      var e = c.querySelector(sel);
      return e ? {w: e.offsetWidth, h: e.offsetHeight} : {w: 0, h: 0};
    }
    var tl = box(".leaflet-top.leaflet-left"), tr = box(".leaflet-top.leaflet-right"),
        br = box(".leaflet-bottom.leaflet-right");
    var cap = w * 0.3;  // a small screen keeps at least 40% of its width for the map
    return {left: Math.min(tl.w, cap) + 10, right: Math.min(Math.max(tr.w, br.w), cap) + 10,
            top: Math.min(Math.max(tl.h, tr.h), h * 0.4) + 10, width: w, height: h};
  }

  // The legend (bottom right) never runs under the layer list (top right): it scrolls.
  function fitLegend(map) {
    var c = map.getContainer(), legend = c.querySelector(".ilp-legend"),
        list = c.querySelector(".leaflet-top.leaflet-right");
    if (!legend) return;
    var free = c.clientHeight - (list ? list.offsetHeight : 0) - 40;
    legend.style.maxHeight = Math.max(120, free) + "px";
  }

  function fitView(map, bounds) {
    fitLegend(map);
    map.on("resize", function () { fitLegend(map); });
    var p = panelPadding(map);
    // a shared link names its place: #map=ZOOM/LAT/LON (as OpenStreetMap writes it)
    var h = /^#map=([0-9.]+)\/(-?[0-9.]+)\/(-?[0-9.]+)$/.exec(window.location.hash || "");
    if (h && isFinite(+h[1]) && isFinite(+h[2]) && isFinite(+h[3])) {
      map.setView([+h[2], +h[3]], +h[1]);
    } else {
      map.fitBounds(bounds, {paddingTopLeft: [p.left, 20], paddingBottomRight: [p.right, 30]});
    }
    map.on("moveend", function () {
      var c = map.getCenter(), z = map.getZoom();
      var text = "#map=" + (Math.round(z * 100) / 100) + "/" + c.lat.toFixed(5) + "/" +
                 c.lng.toFixed(5);
      try { window.history.replaceState(null, "", text); } catch (e) { /* file:// in a frame */ }
    });
    // a popup opening under the title card, the search box or the layer list pans below them
    L.Popup.mergeOptions({autoPanPaddingTopLeft: L.point(10, p.top),
                          autoPanPaddingBottomRight: L.point(10, 30)});
  }

  // The offline basemap: tiles embedded in the page (JSON block o.key, "z/x/y" -> base64),
  // enlarged past the last zoom the file gave; an empty tile where it has none.
  var EMPTY_TILE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
  function basemapLayer(o) {
    var store = data(o.key);
    var Layer = L.TileLayer.extend({
      getTileUrl: function (c) {
        var t = store[c.z + "/" + c.x + "/" + c.y];
        return t ? "data:" + o.mime + ";base64," + t : EMPTY_TILE;
      }
    });
    return new Layer("", {minNativeZoom: o.minZoom, maxNativeZoom: o.maxZoom, maxZoom: 19,
                          attribution: o.attribution});
  }

  // A metric scale bar (km / m only).
  function addScale(map) {
    L.control.scale({position: "bottomleft", metric: true, imperial: false, maxWidth: 160}).addTo(map);
  }

  return {data: data, basemapLayer: basemapLayer, fitView: fitView, addScale: addScale, panelPadding: panelPadding, resolve: resolve, esc: esc, popupHtml: popupHtml, shapeSvg: shapeSvg, areaLayer: areaLayer,
          gapLayer: gapLayer, facilityLayer: facilityLayer, addSearch: addSearch,
          addLegend: addLegend, addHeader: addHeader,
          labelsFromZoom: labelsFromZoom};
})();
