// envmon public map: layers fetched by URL from the service's API and styled here; served as a
// static file (CSP script-src 'self'). The page calls envmonPublicStart(cfg, map) once its Leaflet
// map exists; cfg is escaped JSON. Every text from data is inserted escaped or as text.
window.envmonPublicStart = function (cfg, map) {
  var L10N = cfg.labels;
  var PANES = {districts: 405, zones: 410, sea: 415, sections: 420, stations: 430};
  // Stations always above districts: each layer in a pane of its own (not fetch order).
  Object.keys(PANES).forEach(function (k) { map.createPane("envmon-" + k).style.zIndex = PANES[k]; });
  L.control.scale({metric: true, imperial: false}).addTo(map);
  if (map.attributionControl) map.attributionControl.addAttribution(esc(cfg.credit));
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function name(p) { return (cfg.lang === "en" && p.name_en) ? p.name_en : (p.name || p.code || ""); }
  function flat(obj, prefix, out) {
    Object.keys(obj || {}).forEach(function (k) {
      var v = obj[k], key = prefix ? prefix + "_" + k : k;
      if (v && typeof v === "object" && !Array.isArray(v)) flat(v, key, out); else out[key] = v;
    });
    return out;
  }
  function records(j) {
    if (Array.isArray(j)) return j;
    if (j && Array.isArray(j.items)) return j.items;
    if (j && Array.isArray(j.features)) return j.features.map(function (f) { return f.properties; });
    return [];
  }
  // GCJ-02 forward shift (same formula as geodata.crs.wgs84_to_gcj02), for AutoNavi tiles.
  function gcj(lon, lat) {
    var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI, x = lon - 105, y = lat - 35;
    var sx = Math.sqrt(Math.abs(x)), s6 = Math.sin(6 * x * PI), s2 = Math.sin(2 * x * PI);
    var dlat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx + (20 * s6 + 20 * s2) * 2 / 3 +
      (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3 +
      (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
    var dlon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx + (20 * s6 + 20 * s2) * 2 / 3 +
      (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3 +
      (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
    var rad = lat / 180 * PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    dlat = (dlat * 180) / ((A * (1 - EE)) / (magic * sq) * PI);
    dlon = (dlon * 180) / (A / sq * Math.cos(rad) * PI);
    return [lon + dlon, lat + dlat];
  }
  function coords(c) {
    return cfg.gcj02 ? L.GeoJSON.coordsToLatLng(gcj(c[0], c[1])) : L.GeoJSON.coordsToLatLng(c);
  }
  function colourOf(scale, v) {
    if (v === null || v === undefined || isNaN(v)) return cfg.no_data;
    for (var i = 0; i < scale.length; i++) if (scale[i][0] === null || v <= scale[i][0]) return scale[i][1];
    return cfg.no_data;
  }
  function levelOf(v) {
    if (v === null || v === undefined || isNaN(v)) return null;
    for (var i = 0; i < cfg.aqi_scale.length; i++)
      if (cfg.aqi_scale[i][0] === null || v <= cfg.aqi_scale[i][0]) return i;
    return null;
  }
  function status(ratio, target) {
    if (ratio === null || ratio === undefined || target === null || target === undefined) return null;
    if (ratio >= target - 1e-9) return "meets";
    if (ratio >= target - cfg.near_margin - 1e-9) return "near";
    return "below";
  }
  // One time format everywhere (stations.cst.DISPLAY_FORMAT): "YYYY-MM-DD HH:MM CST" (UTC+8,
  // no DST); the charts' axes show the same clock without the label.
  function cst(iso) {
    if (!iso) return "—";
    var d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    if (isNaN(d.getTime())) return "—";
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getUTCFullYear() + "-" + two(d.getUTCMonth() + 1) + "-" + two(d.getUTCDate()) + " " +
      two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
  }
  function pollutant(key, day) {
    return (day ? cfg.pollutants_day[key] : cfg.pollutants[key]) || cfg.pollutants_day[key] || key;
  }
  function pct(v) { return (v === null || v === undefined) ? "—" : (v * 100).toFixed(1) + "%"; }
  function inDistrict(p) {
    return !cfg.district || p.district_code === cfg.district || p.code === cfg.district;
  }
  function get(url) {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(url + ": HTTP " + r.status); return r.json(); });
  }
  function load(key) {
    var spec = cfg.sources[key];
    return Promise.all([get(spec.url), spec.join_url ? get(spec.join_url) : null]).then(function (res) {
      var gj = res[0], extra = {};
      records(res[1]).forEach(function (r) { var f = flat(r, "", {}); extra[String(f[spec.join_key])] = f; });
      gj.features = (gj.features || []).map(function (f) {
        var p = flat(f.properties || {}, "", {}), more = extra[String(p[spec.join_key])] || {};
        Object.keys(more).forEach(function (k) { if (!(k in p) || p[k] === null) p[k] = more[k]; });
        // /api/v1/districts nests figures by medium: {air: {excellent_good_ratio: {value}, target}}.
        var alias = {excellent_good_ratio: "air_excellent_good_ratio_value", excellent_good_target: "air_target",
          excellent_good_percent: "air_excellent_good_ratio_percent",
          class_iii_ratio: "water_class_iii_ratio_value", class_iii_target: "water_target",
          class_iii_percent: "water_class_iii_ratio_percent"};
        Object.keys(alias).forEach(function (k) { if (p[k] === undefined && alias[k] in p) p[k] = p[alias[k]]; });
        f.properties = p;
        return f;
      }).filter(function (f) { return inDistrict(f.properties); });
      return gj;
    });
  }

  var groups = {};
  window.envmonLayers = groups;
  window.envmonMap = map;
  var narrow = map.getSize().x < 600;
  var control = L.control.layers(null, null, {collapsed: narrow});
  var base = L.layerGroup();
  if (cfg.offline) base.addTo(map);
  cfg.layers.forEach(function (key) {
    groups[key] = L.featureGroup();
    groups[key].addTo(map);
    control.addOverlay(groups[key], cfg.layer_names[key]);
  });
  control.addTo(map);
  legendPanel(narrow);
  window.envmonReady = {};

  function notice(text) {
    var box = document.querySelector(".envmon-info");
    if (!box) return;
    var p = document.createElement("div");
    p.className = "envmon-notice envmon-notice-error";
    p.style.cssText = "color:#B00";
    p.textContent = text;
    box.appendChild(p);
  }

  var placedSections = {}, unplaced = {};
  var sectionsLoaded = (cfg.layers.indexOf("sections") >= 0 || cfg.layers.indexOf("districts") >= 0)
    ? load("sections").then(function (gj) {
        gj.features.forEach(function (f) {
          var p = f.properties;
          if (!f.geometry) (unplaced[p.district_code] = unplaced[p.district_code] || []).push(p);
        });
        return gj;
      }) : Promise.resolve(null);

  function districtPopup(p) {
    var html = "<b>" + esc(name(p)) + "</b>";
    [["excellent_good", L10N.eg_ratio], ["class_iii", L10N.class_iii]].forEach(function (ind) {
      var r = p[ind[0] + "_ratio"], t = p[ind[0] + "_target"], s = status(r, t);
      // The API's own rounded percentage when it sends one, so the popup and the API never differ.
      var shown = p[ind[0] + "_percent"] ? esc(p[ind[0] + "_percent"]) + "%" : pct(r);
      html += "<br>" + esc(ind[1]) + ": <span class='envmon-ratio' data-indicator='" + ind[0] + "'>" + shown +
        "</span> (" + esc(L10N.target) + " " + pct(t) + ") " + esc(s ? cfg.status[s] : L10N.no_data);
    });
    var list = (unplaced[p.code] || []).map(function (s) {
      return "<li>" + esc(name(s)) + " (" + esc(cfg.water_labels[s.water_class] || "—") + ")</li>";
    }).join("");
    html += "<div class='envmon-unplaced'><b>" + esc(L10N.unplaced) + "</b>" +
      (list ? "<ul style='margin:2px 0 0 16px;padding:0'>" + list + "</ul>" : esc(L10N.none)) + "</div>";
    return "<div class='envmon-district' data-code='" + esc(p.code) + "'>" + html +
      historyLinks("districts/" + encodeURIComponent(p.code)) + "</div>";
  }

  var districtsLoaded = load("districts").then(function (gj) {
    if (cfg.offline) {
      L.geoJSON(gj, {coordsToLatLng: coords, interactive: false,
        style: {fillColor: cfg.land, fillOpacity: 1, color: "#7A8A99", weight: 0.8}}).addTo(base);
    }
    if (groups.districts) {
      return sectionsLoaded.then(function () {
        L.geoJSON(gj, {
          coordsToLatLng: coords,
          pane: "envmon-districts",
          style: function (f) {
            var s = status(f.properties.excellent_good_ratio, f.properties.excellent_good_target);
            return {fillColor: s ? cfg.target_colours[s] : cfg.no_data, fillOpacity: 0.55, color: "#333", weight: 1,
              className: "envmon-district envmon-district-" + f.properties.code};
          },
          onEachFeature: function (f, layer) {
            layer.bindPopup(districtPopup(f.properties), popupOptions(320));
            reachable(layer, name(f.properties) + ": " + L10N.eg_ratio + " " + pct(f.properties.excellent_good_ratio));
            layer.on("popupopen", function (e) { districtHistory(e.popup, f.properties); });
          }
        }).addTo(groups.districts);
        if (cfg.district && gj.features.length) map.fitBounds(L.geoJSON(gj, {coordsToLatLng: coords}).getBounds());
      });
    }
  });

  function stationPopup(p) {
    var lv = levelOf(p.aqi);
    var html = "<div class='envmon-station' data-code='" + esc(p.code) + "'><b>" + esc(name(p)) + "</b> (" + esc(p.code) + ")";
    if (p.demo) html += "<br><span class='envmon-demo' style='color:#B00;font-weight:bold'>" + esc(L10N.demo) + "</span>";
    html += "<br>AQI: <b class='envmon-aqi'>" + esc(p.aqi === null || p.aqi === undefined ? "—" : Math.round(p.aqi)) + "</b> " +
      "<span style='background:" + colourOf(cfg.aqi_scale, p.aqi) + ";padding:0 4px'>" +
      esc(lv === null ? L10N.no_data : cfg.aqi_labels[lv]) + "</span>";
    html += "<br>" + esc(L10N.primary) + ": " + esc([].concat(p.primary_pollutant || []).map(function (k) { return pollutant(k); }).join(", ") || "—");
    html += "<br>" + esc(L10N.data_time) + ": <span class='envmon-time'>" + esc(p.time ? cst(p.time) + " CST" : "—") + "</span>";
    if (lv !== null && cfg.health[lv]) {
      html += "<div class='envmon-health'><b>" + esc(L10N.health_effects) + "</b>: " + esc(cfg.health[lv][0]) +
        "<br><b>" + esc(L10N.health_measures) + "</b>: " + esc(cfg.health[lv][1]) + "</div>";
    }
    html += "<div class='envmon-chart-title'>" + esc(L10N.chart_hours) + "</div><div class='envmon-chart envmon-chart-hours'></div>";
    html += "<div class='envmon-chart-title'>" + esc(L10N.chart_days) + "</div><div class='envmon-chart envmon-chart-days'></div>";
    html += historyLinks("stations/" + encodeURIComponent(p.code));
    return html + "</div>";
  }

  var loaders = {
    districts: districtsLoaded,
    stations: groups.stations && load("stations").then(function (gj) {
      L.geoJSON(gj, {
        coordsToLatLng: coords,
        pointToLayer: function (f, ll) {
          var p = f.properties;
          var m = L.circleMarker(ll, {pane: "envmon-stations", radius: 9, color: "#222", weight: 1.5, dashArray: p.demo ? "4 3" : null,
            fillColor: colourOf(cfg.aqi_scale, p.aqi), fillOpacity: 0.9,
            className: "envmon-station-marker envmon-station-" + p.code + (p.demo ? " envmon-demo" : "")});
          m.bindTooltip(esc(name(p) + (p.demo ? " [" + L10N.demo_short + "]" : "")), {permanent: !!p.demo});
          return m;
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup(stationPopup(p), popupOptions(320));
          reachable(layer, name(p) + " AQI " + (p.aqi === null || p.aqi === undefined ? L10N.no_data : p.aqi));
          layer.on("popupopen", function (e) { stationCharts(e.popup, p); });
        }
      }).addTo(groups.stations);
    }),
    sections: groups.sections && sectionsLoaded.then(function (gj) {
      gj.features = gj.features.filter(function (f) { return !!f.geometry; });
      L.geoJSON(gj, {
        coordsToLatLng: coords,
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, {pane: "envmon-sections", radius: 7, color: "#223", weight: 1,
            fillColor: cfg.water_colours[f.properties.water_class] || cfg.no_data, fillOpacity: 0.9});
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>" + esc(name(p)) + "</b><br>" + esc(L10N["class"]) + ": " + esc(cfg.water_labels[p.water_class] || "—"), popupOptions(280));
        }
      }).addTo(groups.sections);
    }),
    sea: groups.sea && Promise.all([load("sea_areas"), load("sea")]).then(function (res) {
      L.geoJSON(res[0], {
        coordsToLatLng: coords,
        pane: "envmon-sea",
        style: function (f) {
          var p = f.properties;
          return {color: "#2B5F8A", weight: 1.5, fillColor: colourOf(cfg.sea_ratio_scale, p.by_points_value),
            fillOpacity: 0.35, dashArray: p.demo ? "5 4" : null, className: "envmon-sea-area envmon-sea-area-" + p.code};
        },
        onEachFeature: function (f, layer) { layer.bindPopup(seaAreaPopup(f.properties), popupOptions(300)); }
      }).addTo(groups.sea);
      res[1].features = res[1].features.filter(function (f) { return !!f.geometry; });
      L.geoJSON(res[1], {
        coordsToLatLng: coords,
        pointToLayer: function (f, ll) {
          var p = f.properties;
          var m = L.circleMarker(ll, {pane: "envmon-sea", radius: 7, color: "#123", weight: 1.5, dashArray: p.demo ? "3 2" : null,
            fillColor: cfg.sea_colours[p.sea_class] || cfg.no_data, fillOpacity: 0.95,
            className: "envmon-sea-marker envmon-sea-" + p.code + (p.demo ? " envmon-demo" : "")});
          m.bindTooltip(esc(name(p) + (p.demo ? " [" + L10N.demo_short + "]" : "")));
          return m;
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup(seaPointPopup(p), popupOptions(300));
          reachable(layer, name(p) + " " + (cfg.sea_labels[p.sea_class] || L10N.no_data));
        }
      }).addTo(groups.sea);
    }),
    zones: groups.zones && load("zones").then(function (gj) {
      L.geoJSON(gj, {
        coordsToLatLng: coords,
        pane: "envmon-zones",
        style: function (f) {
          var c = cfg.zone_colours[f.properties.kind] || cfg.zone_colours.other;
          return {color: c, weight: 2, fillColor: c, fillOpacity: 0.25, dashArray: f.properties.kind === "route" ? "6 4" : null};
        },
        pointToLayer: function (f, ll) {
          var c = cfg.zone_colours[f.properties.kind] || cfg.zone_colours.other;
          return L.circleMarker(ll, {pane: "envmon-zones", radius: 6, color: c, fillOpacity: 0.8});
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>" + esc(name(p)) + "</b><br>" + esc(L10N.kind) + ": " + esc(cfg.zone_kinds[p.kind] || p.kind) +
            "<br>" + esc(L10N.source) + ": " + esc(p.source || "—") + "<br>" + esc(L10N.datum) + ": " + esc(p.datum || "—") +
            "<br>" + esc(L10N.imported) + ": " + esc(String(p.imported_at || "—").slice(0, 10)), popupOptions(320));
        }
      }).addTo(groups.zones);
    })
  };
  Object.keys(loaders).forEach(function (key) {
    if (!loaders[key]) return;
    window.envmonReady[key] = loaders[key].then(function () { return true; }, function (err) {
      notice(L10N.loading_failed + ": " + (cfg.layer_names[key] || key));
      if (window.console) console.warn(String(err));
      return false;
    });
  });

  // ---- helpers below are hoisted function declarations ----

  function seaClass(c) { return cfg.sea_labels[c] || "—"; }
  function seaPointPopup(p) {
    var html = "<div class='envmon-popup envmon-sea-popup'><b>" + esc(name(p)) + "</b>";
    if (p.demo) html += "<br><i class='envmon-demo-note'>" + esc(L10N.demo_point) + "</i>";
    html += "<br>" + esc(L10N.sea_class) + ": <b class='envmon-sea-class'>" + esc(seaClass(p.sea_class)) + "</b>";
    if (p.target_class) {
      var met = p.meets_target === null || p.meets_target === undefined ? "—" : (p.meets_target ? L10N.yes : L10N.no);
      html += "<br>" + esc(L10N.sea_target) + ": " + esc(seaClass(p.target_class)) + " (" + esc(met) + ")";
    }
    html += "<br>" + esc(L10N.deciding) + ": " + esc([].concat(p.deciding_items || []).join(", ") || "—");
    html += "<br>" + esc(L10N.period) + ": " + esc(p.period) + " · " + esc(L10N.samples) + ": " + esc(p.n_samples);
    return html + "</div>";
  }
  function seaAreaPopup(p) {
    var html = "<div class='envmon-popup envmon-sea-popup'><b>" + esc(name(p)) + "</b>";
    if (p.demo) html += "<br><i class='envmon-demo-note'>" + esc(L10N.demo_area) + "</i>";
    html += "<br>" + esc(L10N.sea_target) + ": " + esc(seaClass(p.target_class));
    var share = p.by_points_denominator ? " (" + p.by_points_numerator + "/" + p.by_points_denominator + ")" : "";
    html += "<br>" + esc(L10N.sea_ratio) + ": " + esc(p.by_points_percent === null || p.by_points_percent === undefined ? "—" : p.by_points_percent + "%") + esc(share);
    html += "<br>" + esc(L10N.sea_ratio_area) + ": " + esc(pct(p.by_area));
    html += "<br>" + esc(L10N.period) + ": " + esc(p.period);
    return html + "</div>";
  }

  // A popup grows when its charts arrive, and the controls may have settled since it was bound:
  // take the controls' boxes again, lay the popup out (Leaflet 1.9's update() without setting the
  // content again, which would drop the charts) and pan it clear of them.
  // ``done`` runs once the popup is where it stays (after the pan, if one was needed).
  function refit(popup, done) {
    if (!popup || !popup._map) { done(); return; }
    if (map._panAnim && map._panAnim._inProgress) {  // Leaflet skips a pan while one runs
      map.once("moveend", function () { refit(popup, done); });
      return;
    }
    var fresh = popupOptions(popup.options.envmonWidth || 320);
    Object.keys(fresh).forEach(function (k) { popup.options[k] = fresh[k]; });
    // Listen before panning: a pan larger than the map resets the view and ends synchronously.
    var settled = false;
    function finish() {
      if (settled) return;
      settled = true;
      map.off("moveend", finish);
      done();
    }
    map.on("moveend", finish);
    popup._updateLayout();
    popup._adjustPan();
    if (!(map._panAnim && map._panAnim._inProgress)) finish();
    setTimeout(finish, 1500);  // never leave the popup unready
  }

  // Popups pan clear of the controls (they are drawn above popups) and fit a phone's screen.
  function popupOptions(width) {
    var size = map.getSize(), top = 10, bottom = 10, left = 10, right = 10;
    var box = map.getContainer().getBoundingClientRect();
    document.querySelectorAll(".leaflet-control").forEach(function (c) {
      var r = c.getBoundingClientRect();
      if (!r.width || !r.height) return;
      if (c.closest(".leaflet-top")) top = Math.max(top, r.bottom - box.top + 8);
      if (!c.closest(".leaflet-bottom")) return;
      // A tall bottom-right panel (the open legend) keeps popups to its left; others push up.
      if (c.closest(".leaflet-right") && r.height > size.y / 3) right = Math.max(right, box.right - r.left + 8);
      else bottom = Math.max(bottom, box.bottom - r.top + 8);
    });
    return {
      envmonWidth: width,
      maxWidth: Math.min(width, size.x - 40 - (right > 10 ? right : 0)),
      // room for the popup's padding and tip between the controls above and below
      maxHeight: Math.round(Math.max(200, size.y - top - bottom - 90)),
      autoPanPaddingTopLeft: L.point(left, top),
      autoPanPaddingBottomRight: L.point(right, bottom)
    };
  }
  function reachable(layer, label) {
    function wire() {
      var el = layer.getElement && layer.getElement();
      if (!el) return;
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "button");
      el.setAttribute("aria-label", label);
      el.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); layer.openPopup(); }
      });
    }
    if (layer.getElement && layer.getElement()) wire(); else layer.on("add", wire);
  }
  // One collapsible legend panel; each layer's legend shows while the layer is on.
  function legendPanel(collapsed) {
    var ctl = L.control({position: "bottomright"});
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "envmon-legend-panel leaflet-bar");
      var btn = L.DomUtil.create("button", "envmon-legend-toggle", div);
      btn.type = "button";
      btn.textContent = L10N.legend;
      btn.setAttribute("aria-expanded", collapsed ? "false" : "true");
      var body = L.DomUtil.create("div", "envmon-legend-body", div);
      body.id = "envmon-legend-body";
      // it scrolls when long: reachable by keyboard, named for screen readers
      body.setAttribute("tabindex", "0");
      body.setAttribute("role", "region");
      body.setAttribute("aria-label", L10N.legend);
      btn.setAttribute("aria-controls", body.id);
      body.hidden = collapsed;
      btn.addEventListener("click", function () {
        body.hidden = !body.hidden;
        btn.setAttribute("aria-expanded", body.hidden ? "false" : "true");
      });
      cfg.legends.forEach(function (spec) {
        var box = L.DomUtil.create("div", "envmon-legend", body);
        box.setAttribute("data-legend", spec.key);
        box.setAttribute("data-layer", spec.layer);
        var h = L.DomUtil.create("div", "envmon-legend-title", box);
        h.textContent = spec.title;
        spec.rows.forEach(function (r) {
          var row = L.DomUtil.create("div", "envmon-legend-row", box);
          row.setAttribute("data-key", r[2]);
          var sw = L.DomUtil.create("i", "envmon-swatch", row);
          sw.style.background = r[0];
          row.appendChild(document.createTextNode(r[1]));
        });
        function sync() { box.hidden = !(groups[spec.layer] && map.hasLayer(groups[spec.layer])); }
        map.on("overlayadd overlayremove", sync);
        sync();
      });
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    ctl.addTo(map);
  }
  function api(path) { return cfg.api + "/" + path; }
  function historyLinks(path) {
    var q = "&lang=" + cfg.lang, out = "<div class='envmon-history'>" + esc(L10N.download) + ": ";
    out += "<a href='" + esc(api(path) + "/days?format=csv" + q) + "' download>CSV</a> · ";
    out += "<a href='" + esc(api(path) + "/days?format=xlsx" + q) + "' download>XLSX</a>";
    var title = L10N.calendar.replace("{year}", String(today().getUTCFullYear()));
    return out + "</div><div class='envmon-chart-title'>" + esc(title) + "</div><div class='envmon-calendar'></div>";
  }
  function isoDay(d) { return d.toISOString().slice(0, 10); }
  // The service's CST day when it says one (the browser's clock may be off), as a shifted Date.
  function today() {
    return cfg.today ? new Date(cfg.today + "T12:00:00Z") : new Date(Date.now() + 8 * 3600 * 1000);
  }
  function levelColour(aqi) { return colourOf(cfg.aqi_scale, aqi); }
  // A small bar chart (uPlot, served by envmon): x = time (s), y = AQI, bars coloured by level.
  function barChart(el, xs, ys, width, label, daily) {
    if (!el) return;
    el.textContent = "";
    if (!ys.some(function (v) { return v !== null; })) {
      el.textContent = L10N.chart_no_data;
      el.setAttribute("data-points", "0");
      return;
    }
    el.setAttribute("data-points", String(ys.filter(function (v) { return v !== null; }).length));
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", label);
    var bars = uPlot.paths.bars({size: [0.8, 12]});
    new uPlot({
      width: width, height: 110, legend: {show: false}, cursor: {show: false},
      scales: {x: {time: true}, y: {range: function (u, lo, hi) { return [0, Math.max(100, Math.ceil(hi / 50) * 50)]; }}},
      axes: [{size: 28, font: "10px sans-serif", values: function (u, splits) {
                return splits.map(function (v) { return cst(new Date(v * 1000).toISOString()).slice(5, daily ? 10 : 16); });
              }},
             {size: 34, font: "10px sans-serif"}],
      series: [{}, {label: "AQI", paths: bars, fill: function () { return "#4a90d9"; }, stroke: "#333", width: 0,
        points: {show: false}}],
      hooks: {drawSeries: [function (u) {
        // recolour each bar by its AQI level (HJ 633 附录A colours)
        var ctx = u.ctx, xd = u.data[0], yd = u.data[1], w = Math.max(2, (u.bbox.width / xd.length) * 0.8);
        ctx.save();
        for (var i = 0; i < xd.length; i++) {
          if (yd[i] === null) continue;
          var x = u.valToPos(xd[i], "x", true), y = u.valToPos(yd[i], "y", true), y0 = u.valToPos(0, "y", true);
          ctx.fillStyle = levelColour(yd[i]);
          ctx.fillRect(x - w / 2, y, w, y0 - y);
          ctx.strokeStyle = "#555"; ctx.lineWidth = 0.5; ctx.strokeRect(x - w / 2, y, w, y0 - y);
        }
        ctx.restore();
      }]}
    }, [xs, ys], el);
  }
  function chartWidth(popup) {
    var c = popup.getElement() && popup.getElement().querySelector(".leaflet-popup-content");
    return Math.max(200, (c ? c.clientWidth : 280) - 4);
  }
  function calendar(el, year, days) {
    if (!el) return;
    var byDay = {};
    days.forEach(function (d) { byDay[d.day] = d.aqi; });
    var first = Date.UTC(year, 0, 1), offset = (new Date(first).getUTCDay() + 6) % 7, cells = 0, filled = 0;
    var grid = document.createElement("div");
    grid.className = "envmon-calendar-grid";
    grid.setAttribute("role", "img");
    for (var i = 0; i < offset; i++) { var pad = document.createElement("i"); pad.className = "envmon-cal-pad"; grid.appendChild(pad); }
    for (var t = first; new Date(t).getUTCFullYear() === year; t += 86400000) {
      var key = new Date(t).toISOString().slice(0, 10), aqi = byDay[key];
      var cell = document.createElement("i");
      cell.className = "envmon-cal-day";
      cell.setAttribute("data-day", key);
      if (aqi !== undefined && aqi !== null) { cell.style.background = levelColour(aqi); cell.setAttribute("data-aqi", String(aqi)); filled++; }
      cell.title = key + " AQI " + (aqi === undefined || aqi === null ? "—" : aqi);
      grid.appendChild(cell);
      cells++;
    }
    grid.setAttribute("aria-label", L10N.calendar.replace("{year}", String(year)) + ": " + filled + "/" + cells);
    el.textContent = "";
    el.appendChild(grid);
  }
  function stationCharts(popup, p) {
    var root = popup.getElement();
    if (!root || root.getAttribute("data-charts") === "1") return;
    root.setAttribute("data-charts", "1");
    var width = chartWidth(popup), now = today(), year = now.getUTCFullYear();
    var base = api("stations/" + encodeURIComponent(p.code));
    var last30 = new Date(now.getTime() - 30 * 86400000);
    var hours = get(base + "/hours?lang=" + cfg.lang).then(function (j) {
      barChart(root.querySelector(".envmon-chart-hours"),
        j.items.map(function (h) { return new Date(h.time).getTime() / 1000; }),
        j.items.map(function (h) { return h.aqi; }), width, L10N.chart_hours);
    });
    var days = get(base + "/days?from=" + isoDay(new Date(Math.min(last30.getTime(), Date.UTC(year, 0, 1)))) + "&lang=" + cfg.lang).then(function (j) {
      var recent = j.items.filter(function (d) { return d.day >= isoDay(last30); });
      barChart(root.querySelector(".envmon-chart-days"),
        recent.map(function (d) { return Date.parse(d.day + "T00:00:00+08:00") / 1000; }),
        recent.map(function (d) { return d.aqi; }), width, L10N.chart_days, true);
      calendar(root.querySelector(".envmon-calendar"), year, j.items.filter(function (d) { return d.day.slice(0, 4) === String(year); }));
    });
    Promise.all([hours, days]).then(function () {
      refit(popup, function () { root.setAttribute("data-charts-ready", "1"); });
    },
      function (err) { root.setAttribute("data-charts-ready", "error"); if (window.console) console.warn(String(err)); });
  }
  function districtHistory(popup, p) {
    var root = popup.getElement();
    if (!root || root.getAttribute("data-charts") === "1") return;
    root.setAttribute("data-charts", "1");
    var year = today().getUTCFullYear();
    get(api("districts/" + encodeURIComponent(p.code) + "/days?from=" + year + "-01-01")).then(function (j) {
      calendar(root.querySelector(".envmon-calendar"), year, j.items);
      refit(popup, function () { root.setAttribute("data-charts-ready", "1"); });
    }, function () { root.setAttribute("data-charts-ready", "error"); });
  }
};
