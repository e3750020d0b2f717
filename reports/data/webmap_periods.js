// The PWS choropleth with a period slider (ILP-GIS web map): every month's achievement and
// PWS class per desa are in the page; moving the slider recolours the desa.  No network.
ILP.periodLayer = function (fc, o) {
  var idx = {};
  o.codes.forEach(function (c, i) { idx[c] = i; });
  var cur = o.p.length - 1;
  function pct(a) { return (a * 100).toFixed(1).replace(".", o.t.dec) + "%"; }
  function at(f) {
    var i = idx[f.properties.c];
    var p = o.p[cur];
    return i === undefined ? {a: null, k: null} : {a: p.a[i], k: p.k[i]};
  }
  function style(f) {
    var st = o.styles[at(f).k || "missing"];
    return {color: st.stroke, weight: 0.6, opacity: 1, fillColor: st.fill,
            fillOpacity: st.opacity};
  }
  var renderer = o.dots ? L.canvas({padding: 0.2}) : null;
  var gj = L.geoJSON(fc, {
    style: style,
    pointToLayer: function (f, latlng) {  // a desa drawn as a dot (national level of detail)
      return L.circleMarker(latlng, {renderer: renderer, radius: o.dots || 3});
    },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(function () {
        var v = at(f);
        return ILP.esc(f.properties.n) + "<br>" + ILP.esc(o.p[cur].l) + ": " +
          (v.a === null ? ILP.esc(o.t.missing) : pct(v.a)) + " — " +
          ILP.esc(o.labels[v.k || "missing"]);
      }, {sticky: true});
    }
  });
  var label = null;
  function show(i) {
    cur = Math.max(0, Math.min(o.p.length - 1, i));
    gj.setStyle(style);
    if (label) {
      label.innerHTML = "<b>" + ILP.esc(o.p[cur].l) + "</b> — " + ILP.esc(o.t.expected) + " " +
        pct(o.p[cur].e);
    }
  }
  var ctl = L.control({position: "bottomleft"});
  ctl.onAdd = function () {
    var div = L.DomUtil.create("div", "ilp-box ilp-periods");
    var html = "<div><b>" + ILP.esc(o.t.title) + "</b></div>" +
      '<input type="range" class="ilp-period-slider" min="0" max="' + (o.p.length - 1) +
      '" step="1" value="' + cur + '" aria-label="' + ILP.esc(o.t.period) + '">' +
      '<div class="ilp-period-label"></div><div>';
    o.order.forEach(function (k) {
      html += '<span style="display:inline-block;width:11px;height:11px;margin:0 3px 0 6px;' +
        "background:" + o.styles[k].fill + ";border:1px solid " + o.styles[k].stroke +
        '"></span>' + ILP.esc(o.labels[k]) + "<br>";
    });
    div.innerHTML = html + "</div>";
    div.style.background = "#fff";
    div.style.padding = "6px 8px";
    div.style.font = "12px sans-serif";
    div.style.maxWidth = "300px";
    label = div.querySelector(".ilp-period-label");
    var input = div.querySelector("input");
    input.style.width = "100%";
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    input.addEventListener("input", function () { show(parseInt(input.value, 10)); });
    show(cur);
    return div;
  };
  gj.on("add", function () { ctl.addTo(gj._map); });
  gj.on("remove", function () { ctl.remove(); });
  gj.showPeriod = show;
  return gj;
};
