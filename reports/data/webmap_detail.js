/* ILP-GIS web map, national level of detail: the detail of the kabupaten in view (desa
   polygons, gaps, kecamatan, network links, Posyandu, roads), loaded from the chunks written
   beside the page - one <script> element each, which works offline from file:// - and
   unloaded when far out of view, so the browser's memory stays bounded. */
(function () {
  "use strict";

  var groups = {};

  // A facility symbol of the kabupaten page (shape, fill, edge, dark halo; hollow when known
  // only by its desa) drawn on a canvas: thousands of Posyandu without an element each.
  L.Canvas.include({
    _updateIlpShape: function (layer) {
      if (!this._drawing || layer._empty()) return;
      var p = layer._point, ctx = this._ctx, st = layer.options.symbol, r = st.size / 2 - 1;
      function path() {
        ctx.beginPath();
        if (st.shape === "square") {
          ctx.rect(p.x - r, p.y - r, 2 * r, 2 * r);
        } else if (st.shape === "triangle") {
          ctx.moveTo(p.x, p.y - r); ctx.lineTo(p.x + r, p.y + r); ctx.lineTo(p.x - r, p.y + r);
          ctx.closePath();
        } else if (st.shape === "diamond") {
          ctx.moveTo(p.x, p.y - r); ctx.lineTo(p.x + r, p.y); ctx.lineTo(p.x, p.y + r);
          ctx.lineTo(p.x - r, p.y); ctx.closePath();
        } else {
          ctx.arc(p.x, p.y, r, 0, Math.PI * 2);
        }
      }
      ctx.globalAlpha = 1;
      path();
      ctx.lineWidth = st.hollow ? 4.5 : 3.5;
      ctx.strokeStyle = "rgba(0,0,0,0.7)";
      ctx.stroke();
      path();
      ctx.fillStyle = st.hollow ? "rgba(255,255,255,0.35)" : st.fill;
      ctx.fill();
      ctx.lineWidth = st.hollow ? 3 : 1.5;
      ctx.strokeStyle = st.stroke;
      ctx.stroke();
    }
  });
  var ShapeMarker = L.CircleMarker.extend({
    _updatePath: function () { this._renderer._updateIlpShape(this); }
  });
  // The layer of one kind of detail (filled by the chunks in view; in the layer control).
  ILP.detailGroup = function (key) {
    if (!groups[key]) groups[key] = L.featureGroup();
    return groups[key];
  };

  function gapList(kinds, ks) {
    var h = '<ul class="ilp-gaps">';
    for (var i = 0; i < ks.length; i++) {
      var k = kinds[ks[i]] || {label: ks[i], explain: ""};
      h += '<li><span class="ilp-swatch" style="background:' + ILP.esc(k.fill) + '"></span><b>' +
        ILP.esc(k.label) + "</b>" +
        (k.explain ? '<div class="ilp-explain">' + ILP.esc(k.explain) + "</div>" : "") + "</li>";
    }
    return h + "</ul>";
  }

  // map: the Leaflet map; desa: the page's desa columns (x, y, n, s, p, pal, ci);
  // o: the chunk index (dir, files, b = [w, s, e, n] per chunk) and styles (see detail.py).
  ILP.detail = function (map, desa, o) {
    var state = {};  // chunk -> {status, script, layers}
    var canvas = L.canvas({padding: 0.3});
    var dir = encodeURIComponent(o.dir);

    function desaPopup(i, extra) {
      return ILP.popupHtml(desa.n[i], desa.s ? desa.s[i] : o.t.desa, o.fields, desa.p[i], extra);
    }

    function feature(geom, props) {
      return {type: "Feature", geometry: geom, properties: props};
    }

    function build(d) {
      var out = {};
      if (d.desa) {
        var fs = [], gs = [];
        for (var j = 0; j < d.desa.i.length; j++) {
          if (!d.desa.geom[j]) continue;
          var f = feature(d.desa.geom[j], {i: d.desa.i[j], g: d.desa.g[j]});
          fs.push(f);
          if (d.desa.g[j] && d.desa.g[j].length) gs.push(f);
        }
        out.desa = L.geoJSON(fs, {
          renderer: canvas,
          style: function (f) {
            return {color: "#ffffff", weight: 0.6, opacity: 1, fillOpacity: 0.85,
                    fillColor: desa.pal[desa.ci[f.properties.i]]};
          },
          onEachFeature: function (f, layer) {
            var i = f.properties.i;
            if (desa.n[i]) layer.bindTooltip(ILP.esc(desa.n[i]), {sticky: true});
            layer.bindPopup(function () { return desaPopup(i); }, {maxWidth: 340});
          }
        });
        out.gaps = L.geoJSON(gs, {  // SVG: the hatch patterns are SVG patterns
          style: function (f) {
            var k0 = f.properties.g[0], k = o.kinds[k0] || {};
            return {color: k.stroke, weight: k.weight || 1.5, fillColor: "url(#ilp-hatch-" + k0 + ")",
                    fillOpacity: 1, opacity: 0.9, dashArray: k.dash || null};
          },
          onEachFeature: function (f, layer) {
            layer.bindPopup(function () {
              return desaPopup(f.properties.i, gapList(o.kinds, f.properties.g));
            }, {maxWidth: 340});
          }
        });
      }
      if (d.kec) {
        var ks = [];
        for (var k = 0; k < d.kec.n.length; k++) {
          if (d.kec.geom[k]) ks.push(feature(d.kec.geom[k], {n: d.kec.n[k]}));
        }
        out.kec = L.geoJSON(ks, {
          interactive: false, style: function () { return o.kec; },
          onEachFeature: function (f, layer) {
            layer.bindTooltip(ILP.esc(f.properties.n), {permanent: true, direction: "center",
                                                        className: "ilp-label", interactive: false});
          }
        });
      }
      if (d.roads) {
        var rs = [];
        for (var r = 0; r < d.roads.cl.length; r++) {
          if (d.roads.geom[r]) rs.push(feature(d.roads.geom[r], {cl: d.roads.cl[r]}));
        }
        var roadStyle = function (f) {
          var s = L.extend({}, o.roadStyles[f.properties.cl]);
          if (map.getZoom() < (o.roadMinZoom[f.properties.cl] || 0)) s.opacity = 0;
          return s;
        };
        out.roads = L.geoJSON(rs, {renderer: canvas, interactive: false, style: roadStyle});
        out.roads.restyle = function () { out.roads.setStyle(roadStyle); };
      }
      if (d.links) {
        var ls = [];
        for (var e = 0; e < d.links.l.length; e++) {
          if (d.links.geom[e]) ls.push(feature(d.links.geom[e], {e: e}));
        }
        out.links = L.geoJSON(ls, {
          renderer: canvas,
          style: function (f) {
            var st = o.linkStyles[d.links.l[f.properties.e]] || {};
            return {color: st.color || "#5d6d7e", dashArray: st.dash || null, weight: 1.3,
                    opacity: 0.85};
          },
          onEachFeature: function (f, layer) {
            var e = f.properties.e, lk = d.links.l[e];
            layer.bindPopup(function () {
              return ILP.popupHtml(d.links.n[e], o.t.link, o.linkFields,
                                   [o.linkLabels[lk] || lk].concat(d.links.p[e]));
            }, {maxWidth: 340});
          }
        });
      }
      if (d.posyandu) {
        var p = d.posyandu, ms = [];
        for (var q = 0; q < p.x.length; q++) {
          if (p.x[q] === null) continue;
          (function (q) {
            var hollow = p.q && p.q[q], st = hollow ? o.posyanduDesa : o.posyandu;
            var m = new ShapeMarker([p.y[q], p.x[q]], {renderer: canvas, radius: st.size / 2,
                                                       symbol: st});
            m.bindPopup(function () {
              return ILP.popupHtml(p.n[q], hollow ? o.t.posyanduDesa : o.t.posyandu,
                                   o.facFields, p.p[q]);
            }, {maxWidth: 340});
            ms.push(m);
          })(q);
        }
        out.posyandu = L.featureGroup(ms);
      }
      if (d.pgaps) {  // gaps at a Posyandu: a ring in the colours of its most severe gap
        var pg = d.pgaps, rings = [];
        for (var r2 = 0; r2 < pg.x.length; r2++) {
          (function (r2) {
            var k = o.kinds[pg.g[r2]] || {};
            var m = L.circleMarker([pg.y[r2], pg.x[r2]], {renderer: canvas, radius: 9,
              color: k.stroke || "#000", weight: 2.5, fillColor: k.fill || "#ff0",
              fillOpacity: 0.25});  // as a kabupaten page rings a facility with a gap
            m.bindPopup(function () {
              return ILP.popupHtml(pg.n[r2], o.t.gap, o.gapFields, pg.p[r2]);
            }, {maxWidth: 340});
            rings.push(m);
          })(r2);
        }
        out.pgaps = L.featureGroup(rings);
      }
      return out;
    }

    // a chunk's script calls this when it has loaded
    ILP.chunk = function (i, d) {
      var s = state[i];
      if (!s || s.status !== "loading") return;  // unloaded while it was on its way
      s.status = "loaded";
      s.layers = build(d);
      for (var k in s.layers) ILP.detailGroup(k).addLayer(s.layers[k]);
      order();
      dots();
    };

    function order() {  // lines, rings, then symbols above the desa colours, whatever came last
      ["roads", "links", "pgaps", "posyandu"].forEach(function (k) {
        var g = groups[k];
        if (g && map.hasLayer(g)) g.bringToFront();
      });
    }

    function load(i) {
      var el = document.createElement("script");
      el.src = dir + "/" + o.files[i];
      el.onerror = function () {
        if (state[i]) state[i].status = "failed";
        missing();
      };
      state[i] = {status: "loading", script: el, layers: null};
      document.head.appendChild(el);
    }

    var told = false;
    function missing() {  // the page was copied without its folder: say so, once
      if (told) return;
      told = true;
      var ctl = L.control({position: "bottomleft"});
      ctl.onAdd = function () {
        var div = L.DomUtil.create("div", "ilp-box ilp-detail-missing");
        div.style.background = "#fff";
        div.style.padding = "6px 8px";
        div.style.font = "12px sans-serif";
        div.style.maxWidth = "320px";
        div.textContent = o.t.missing;
        return div;
      };
      ctl.addTo(map);
    }

    function unload(i) {
      var s = state[i];
      if (s.layers) for (var k in s.layers) ILP.detailGroup(k).removeLayer(s.layers[k]);
      if (s.script.parentNode) s.script.parentNode.removeChild(s.script);
      delete state[i];
    }

    function box(i) {
      var b = o.b[i];
      return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
    }

    function shown() {
      for (var k in groups) if (map.hasLayer(groups[k])) return true;
      return false;
    }

    function active(near) {
      return map.getZoom() >= o.minZoom || near.length <= o.few;
    }

    // the desa dots give way to the desa polygons where the detail is drawn
    function dots() {
      var pane = map.getPane("ilpDesaDots");
      if (!pane) return;
      var hide = !!groups.desa && map.hasLayer(groups.desa) && map.getZoom() >= o.minZoom;
      pane.style.display = hide ? "none" : "";
    }

    function update() {
      var near = [], area = map.getBounds().pad(0.25), i;
      for (i = 0; i < o.files.length; i++) if (box(i).intersects(area)) near.push(i);
      var on = active(near) && shown();
      if (on) near.forEach(function (j) { if (!state[j]) load(j); });
      var c = map.getCenter();
      var away = Object.keys(state).map(Number).filter(function (j) {
        return !on || near.indexOf(j) < 0;
      });
      away.sort(function (a, b) {  // farthest first
        return box(b).getCenter().distanceTo(c) - box(a).getCenter().distanceTo(c);
      });
      var extra = on ? Object.keys(state).length - o.keep : away.length;
      for (i = 0; i < away.length && extra > 0; i++, extra--) unload(away[i]);
      if (groups.roads) groups.roads.eachLayer(function (l) { if (l.restyle) l.restyle(); });
      dots();
    }

    map.on("moveend", update);
    map.on("overlayadd overlayremove", function () { update(); order(); });
    setTimeout(update, 0);  // once the page has set its first view (a #map= link or the fit)
  };
})();
