// envmon public map: layers fetched by URL from the service's API and styled here.
// Config arrives as escaped JSON (cfg); every text from data is inserted escaped.
(function () {
  var cfg = {{ this.cfg|tojson }};
  var map = {{ this._parent.get_name() }};
  var L10N = cfg.labels;
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
  var control = L.control.layers(null, null, {collapsed: false});
  var base = L.layerGroup();
  if (cfg.offline) base.addTo(map);
  cfg.layers.forEach(function (key) {
    groups[key] = L.featureGroup();
    groups[key].addTo(map);
    control.addOverlay(groups[key], cfg.layer_names[key]);
  });
  control.addTo(map);
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
    return html;
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
          style: function (f) {
            var s = status(f.properties.excellent_good_ratio, f.properties.excellent_good_target);
            return {fillColor: s ? cfg.target_colours[s] : cfg.no_data, fillOpacity: 0.55, color: "#333", weight: 1,
              className: "envmon-district envmon-district-" + f.properties.code};
          },
          onEachFeature: function (f, layer) { layer.bindPopup(districtPopup(f.properties), {maxWidth: 320}); }
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
    html += "<br>" + esc(L10N.primary) + ": " + esc([].concat(p.primary_pollutant || []).join(", ") || "—");
    html += "<br>" + esc(L10N.data_time) + ": " + esc(p.time ? new Date(p.time).toLocaleString(cfg.lang === "en" ? "en-GB" : "zh-CN", {timeZone: "Asia/Shanghai", hour12: false}) : "—");
    return html + "</div>";
  }

  var loaders = {
    districts: districtsLoaded,
    stations: groups.stations && load("stations").then(function (gj) {
      L.geoJSON(gj, {
        coordsToLatLng: coords,
        pointToLayer: function (f, ll) {
          var p = f.properties;
          var m = L.circleMarker(ll, {radius: 9, color: "#222", weight: 1.5, dashArray: p.demo ? "4 3" : null,
            fillColor: colourOf(cfg.aqi_scale, p.aqi), fillOpacity: 0.9,
            className: "envmon-station-marker envmon-station-" + p.code + (p.demo ? " envmon-demo" : "")});
          m.bindTooltip(esc(name(p) + (p.demo ? " [" + L10N.demo_short + "]" : "")), {permanent: !!p.demo});
          return m;
        },
        onEachFeature: function (f, layer) { layer.bindPopup(stationPopup(f.properties), {maxWidth: 300}); }
      }).addTo(groups.stations);
    }),
    sections: groups.sections && sectionsLoaded.then(function (gj) {
      gj.features = gj.features.filter(function (f) { return !!f.geometry; });
      L.geoJSON(gj, {
        coordsToLatLng: coords,
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, {radius: 7, color: "#223", weight: 1,
            fillColor: cfg.water_colours[f.properties.water_class] || cfg.no_data, fillOpacity: 0.9});
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>" + esc(name(p)) + "</b><br>" + esc(L10N["class"]) + ": " + esc(cfg.water_labels[p.water_class] || "—"));
        }
      }).addTo(groups.sections);
    }),
    zones: groups.zones && load("zones").then(function (gj) {
      L.geoJSON(gj, {
        coordsToLatLng: coords,
        style: function (f) {
          var c = cfg.zone_colours[f.properties.kind] || cfg.zone_colours.other;
          return {color: c, weight: 2, fillColor: c, fillOpacity: 0.25, dashArray: f.properties.kind === "route" ? "6 4" : null};
        },
        pointToLayer: function (f, ll) {
          var c = cfg.zone_colours[f.properties.kind] || cfg.zone_colours.other;
          return L.circleMarker(ll, {radius: 6, color: c, fillOpacity: 0.8});
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup("<b>" + esc(name(p)) + "</b><br>" + esc(L10N.kind) + ": " + esc(cfg.zone_kinds[p.kind] || p.kind) +
            "<br>" + esc(L10N.source) + ": " + esc(p.source || "—") + "<br>" + esc(L10N.datum) + ": " + esc(p.datum || "—") +
            "<br>" + esc(L10N.imported) + ": " + esc(String(p.imported_at || "—").slice(0, 10)), {maxWidth: 320});
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
})();
