/* ILP-GIS web map, national level of detail: layers drawn from column data on one canvas. */
(function () {
  "use strict";

  // Point features (for the desa search) from column data {x, y, n, k, c, s, p}.
  ILP.dotFeatures = function (d) {
    var out = [];
    for (var i = 0; i < d.x.length; i++) {
      if (d.x[i] === null) continue;
      out.push({type: "Feature", geometry: {type: "Point", coordinates: [d.x[i], d.y[i]]},
                properties: {n: d.n[i], k: d.k ? d.k[i] : null, c: d.c ? d.c[i] : null,
                             s: d.s ? d.s[i] : null, p: d.p[i]}});
    }
    return {type: "FeatureCollection", features: out};
  };

  // Dots on a shared canvas: o.radius, o.style (path options), o.fields (popup labels), o.sub
  // (popup subtitle), o.only (indexes to draw), o.colourOf(i) (fill colour), o.strokeOf(i).
  // o.pane = [name, zIndex] with o.map: drawn in its own pane (hidden where detail is drawn).
  ILP.dotLayer = function (d, o) {
    var pane = null;
    if (o.pane && o.map) {
      pane = o.pane[0];
      if (!o.map.getPane(pane)) o.map.createPane(pane).style.zIndex = o.pane[1];
    }
    var renderer = pane ? L.canvas({padding: 0.2, pane: pane}) : L.canvas({padding: 0.2});
    var layers = [];
    var idx = o.only || null, n = idx ? idx.length : d.x.length;
    for (var j = 0; j < n; j++) {
      var i = idx ? idx[j] : j;
      if (d.x[i] === null) continue;
      var st = L.extend({renderer: renderer, radius: o.radius || 3}, o.style || {});
      if (pane) st.pane = pane;
      if (o.colourOf) st.fillColor = o.colourOf(i);
      if (o.strokeOf) st.color = o.strokeOf(i);
      var m = L.circleMarker([d.y[i], d.x[i]], st);
      (function (i) {
        m.bindPopup(function () {
          return ILP.popupHtml(d.n[i], (d.s && d.s[i]) || o.sub, o.fields, d.p[i],
                               o.extra ? o.extra(i) : null);
        }, {maxWidth: 340});
        if (d.n[i]) m.bindTooltip(ILP.esc(d.n[i]), {sticky: true});
      })(i);
      layers.push(m);
    }
    return L.featureGroup(layers);
  };

  // The desa coloured by their figure (d.pal[d.ci[i]]).
  ILP.desaDots = function (d, o) {
    return ILP.dotLayer(d, L.extend({colourOf: function (i) { return d.pal[d.ci[i]]; }}, o));
  };

  // The desa with gaps: a ring in the colour of the most severe gap (d.g[i]).
  ILP.gapDots = function (d, o) {
    var only = [];
    for (var i = 0; i < d.g.length; i++) if (d.g[i]) only.push(i);
    return ILP.dotLayer(d, L.extend({only: only, strokeOf: function (i) {
      return (o.kinds[d.g[i]] || {}).stroke || "#000";
    }}, o));
  };
})();
