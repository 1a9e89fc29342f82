// envmon staff map: every layer declared in maps/staff_layers.py is fetched from its URL and drawn
// as its features say (style, popup HTML escaped by the service, tooltip as plain text). Served as
// a static file (CSP script-src 'self'); the page calls envmonStaffStart(cfg, map) once its
// Leaflet map exists. The time slider fetches the days it shows, one window at a time.
window.envmonStaffStart = function (cfg, map) {
  var L10N = cfg.labels;
  var groups = {}, legends = {};
  window.envmonLayers = groups;
  window.envmonMap = map;
  window.envmonReady = {};
  var narrow = map.getSize().x < 600;
  var control = L.control.layers(null, null, {collapsed: narrow});
  // The credit line as text (the attribution control would read a string as HTML).
  if (map.attributionControl && cfg.credit) {
    var credit = document.createElement("span");
    credit.className = "envmon-credit";
    credit.textContent = cfg.credit;
    map.attributionControl.addAttribution(credit.outerHTML);
    if (narrow) {  // as public.css does on a phone: small, wrapped, clear of the scale bar
      map.attributionControl.getContainer().style.cssText = "font-size:9px;max-width:65vw;white-space:normal";
    }
  }

  function get(url) {
    return fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(url + ": HTTP " + r.status); return r.json(); });
  }
  function textElement(tag, text, cls) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = text;
    return el;
  }
  function colour(v) {
    if (v === null || v === undefined) return cfg.no_data;
    for (var i = 0; i < cfg.aqi_scale.length; i++) {
      var hi = cfg.aqi_scale[i][0];
      if (hi === null || v <= hi) return cfg.aqi_scale[i][1];
    }
    return cfg.no_data;
  }
  function notice(text) {
    var box = document.querySelector(".envmon-info");
    if (!box) return;
    var p = textElement("div", text, "envmon-notice envmon-notice-error");
    p.style.cssText = "color:#B00";
    box.appendChild(p);
  }

  // A popup's HTML was built by the service from escaped text (maps.escape); a tooltip is text.
  function bind(layer, p) {
    if (p.popup) {
      var div = document.createElement("div");
      div.innerHTML = p.popup;
      const opts = {maxWidth: Math.min(p.popup_width || 300, map.getSize().x - 40)};
      // A long popup (a zone's supervision section) scrolls inside the map instead of leaving it.
      if (p.popup_max_height) opts.maxHeight = Math.min(p.popup_max_height, map.getSize().y - 80);
      layer.bindPopup(div, opts);
    }
    if (p.tooltip) layer.bindTooltip(textElement("span", p.tooltip), {permanent: !!p.permanent});
  }
  function marker(f, ll, pane) {
    var p = f.properties, style = Object.assign({pane: pane, radius: p.radius || 8}, p.style || {});
    if (p.shape === "diamond") {
      var box = document.createElement("div"), r = p.radius || 7;
      box.style.cssText = "width:" + (r * 1.4) + "px;height:" + (r * 1.4) + "px;transform:rotate(45deg);" +
        "border:1px solid " + (style.color || "#223") + ";background:" + (style.fillColor || cfg.no_data);
      return L.marker(ll, {pane: pane, icon: L.divIcon({html: box, className: style.className || "",
        iconSize: [r * 2, r * 2]}), keyboard: true});
    }
    return L.circleMarker(ll, style);
  }
  function draw(key, spec, gj) {
    var pane = "envmon-" + key;
    (gj.features || []).forEach(function (f) {
      var p = f.properties || {}, layer;
      if (f.geometry && f.geometry.type === "Point") {
        layer = marker(f, L.GeoJSON.coordsToLatLng(f.geometry.coordinates), pane);
      } else {
        layer = L.geoJSON(f, {pane: pane, interactive: p.interactive !== false,
          style: function () { return p.style || {}; }});
      }
      if (p.interactive !== false) bind(layer, p);
      layer.feature = f;
      layer.addTo(groups[key]);
    });
  }

  // One legend panel (bottom right, folded on a phone); each layer's legend is in it while the
  // layer is on, in the layers' order.
  // On a phone the legend sits under the layer toggle (controls in one corner stack, never overlap);
  // on a desktop it sits bottom right, beside the co-control panel.
  var panel = L.control({position: narrow ? "topright" : "bottomright"}), panelBody;
  panel.onAdd = function () {
    var div = L.DomUtil.create("div", "envmon-legend-panel leaflet-bar");
    div.style.cssText = "background:#fff;font:11px/1.3 sans-serif;max-width:240px";
    var btn = L.DomUtil.create("button", "envmon-legend-toggle", div);
    btn.type = "button";
    btn.textContent = L10N.legend;
    btn.style.cssText = "display:block;width:100%;border:0;background:#f4f4f4;padding:4px 6px;font:bold 12px sans-serif;cursor:pointer";
    panelBody = L.DomUtil.create("div", "envmon-legend-body", div);
    panelBody.id = "envmon-legend-body";
    panelBody.setAttribute("tabindex", "0");
    panelBody.setAttribute("role", "region");
    panelBody.setAttribute("aria-label", L10N.legend);
    panelBody.style.cssText = "max-height:" + (narrow ? "45vh" : "60vh") + ";overflow:auto";
    btn.setAttribute("aria-controls", panelBody.id);
    function show(open) {
      panelBody.hidden = !open;
      btn.setAttribute("aria-expanded", open ? "true" : "false");
    }
    show(!narrow);
    // A phone has room for one open panel: opening the legend folds the co-control table, and
    // opening the table folds the legend.
    var cocontrol = document.getElementById("envmon-cocontrol");
    btn.addEventListener("click", function () {
      if (panelBody.hidden) fitLegend();
      show(panelBody.hidden);
      if (narrow && !panelBody.hidden && cocontrol) cocontrol.open = false;
    });
    if (narrow && cocontrol) cocontrol.addEventListener("toggle", function () {
      if (cocontrol.open) show(false);
    });
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  panel.addTo(map);
  function legendBox(spec, first) {
    var slot = L.DomUtil.create("div", "envmon-legend-slot", panelBody), div = null;
    if (first) panelBody.insertBefore(slot, panelBody.firstChild);  // a surface's legend on top
    function build() {
      div = L.DomUtil.create("div", "envmon-legend", slot);
      div.setAttribute("data-legend", spec.key);
      div.style.cssText = "padding:4px 6px";
      var h = textElement("div", spec.title, "envmon-legend-title");
      h.style.fontWeight = "bold";
      div.appendChild(h);
      spec.rows.forEach(function (r) {
        var row = L.DomUtil.create("div", "envmon-legend-row", div);
        row.setAttribute("data-key", r[2]);
        var sw = L.DomUtil.create("i", "", row);
        sw.style.cssText = "display:inline-block;width:14px;height:14px;margin-right:6px;" +
          "vertical-align:middle;border:1px solid #555;background:" + r[0] + (r[3] ? ";border-radius:50%" : "");
        row.appendChild(document.createTextNode(r[1]));
      });
      if (spec.note) {
        var n = textElement("div", spec.note, "envmon-legend-note");
        n.style.cssText = "margin-top:4px;color:#444";
        div.appendChild(n);
      }
      if (spec.html) {  // a surface's zonal statistics: HTML the service escaped (maps.escape)
        var extra = document.createElement("div");
        extra.innerHTML = spec.html;
        extra.style.cssText = "margin-top:4px";
        div.appendChild(extra);
      }
    }
    return {
      addTo: function () { if (!div) build(); },
      remove: function () { if (div) { slot.removeChild(div); div = null; } }
    };
  }

  // ---- the time slider: days fetched per window as they are shown ----
  var daily = cfg.daily, dates = [], dayValues = {}, windowsAsked = {};
  (function () {
    if (!daily.start || !daily.end) return;
    var t = Date.parse(daily.start + "T00:00:00Z"), last = Date.parse(daily.end + "T00:00:00Z");
    for (; t <= last; t += 86400000) dates.push(new Date(t).toISOString().slice(0, 10));
  })();
  function loadWindow(i) {
    var first = Math.floor(i / daily.window) * daily.window;
    var from = dates[first], to = dates[Math.min(first + daily.window - 1, dates.length - 1)];
    if (!windowsAsked[from]) {
      var url = daily.windows[from] || daily.url.replace("{from}", from).replace("{to}", to);
      windowsAsked[from] = get(url).then(function (j) {
        j.dates.forEach(function (d, k) {
          var day = {};
          Object.keys(j.values).forEach(function (code) { day[code] = j.values[code][k]; });
          dayValues[d] = day;
        });
      });
    }
    return windowsAsked[from];
  }
  function sliderControl(layer) {
    // top left, under the zoom buttons: the co-control panel holds the bottom left
    var ctl = L.control({position: "topleft"}), input, label, box, timer = null, shown = 0;
    function recolour(i) {
      var values = dayValues[dates[i]] || {};
      layer.eachLayer(function (m) {
        var p = m.feature.properties, v = values[p.code];
        v = (v === undefined) ? null : v;
        m.setStyle({fillColor: colour(v)});
        m.setTooltipContent(textElement("span", p.name + ": AQI " + (v === null ? "—" : v)));
      });
      box.setAttribute("data-day", dates[i]);
    }
    function show(i) {
      shown = i;
      label.textContent = L10N.date + " " + dates[i];
      box.removeAttribute("data-day");
      loadWindow(i).then(function () { if (shown === i) recolour(i); }, function (err) {
        notice(L10N.loading_failed + ": " + dates[i]);
        if (window.console) console.warn(String(err));
      });
    }
    ctl.onAdd = function () {
      box = L.DomUtil.create("div", "envmon-slider leaflet-bar");
      box.style.cssText = "background:#fff;padding:6px 8px;font:12px sans-serif";
      label = L.DomUtil.create("div", "envmon-slider-date", box);
      input = L.DomUtil.create("input", "", box);
      input.type = "range"; input.min = 0; input.max = dates.length - 1; input.step = 1;
      input.value = dates.length - 1;
      input.setAttribute("aria-label", L10N.date);
      input.style.width = narrow ? "150px" : "220px";
      var play = L.DomUtil.create("button", "envmon-slider-play", box);
      play.type = "button"; play.textContent = L10N.play;
      L.DomEvent.on(play, "click", function () {
        if (timer) { clearInterval(timer); timer = null; return; }
        timer = setInterval(function () {
          var i = (parseInt(input.value, 10) + 1) % dates.length;
          input.value = i; show(i);
        }, 700);
      });
      L.DomEvent.on(input, "input", function () { show(parseInt(input.value, 10)); });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    ctl.onRemove = function () { if (timer) { clearInterval(timer); timer = null; } };
    return {
      on: function () { ctl.addTo(map); show(parseInt(input.value, 10)); },
      off: function () { ctl.remove(); },
      refresh: function () { if (ctl._map) show(parseInt(input.value, 10)); }
    };
  }

  cfg.layers.forEach(function (spec) {
    var pane = map.createPane("envmon-" + spec.key);
    pane.style.zIndex = spec.pane;
    var group = groups[spec.key] = L.featureGroup();
    if (spec.control) control.addOverlay(group, spec.name);
    var legend = spec.legend ? legendBox(spec.legend) : null;
    var slider = (spec.kind === "daily" && dates.length) ? sliderControl(group) : null;
    legends[spec.key] = legend;
    map.on("overlayadd", function (e) {
      if (e.layer !== group) return;
      if (legend) legend.addTo(map);
      if (slider) slider.on();
    });
    map.on("overlayremove", function (e) {
      if (e.layer !== group) return;
      if (legend) legend.remove();
      if (slider) slider.off();
    });
    if (spec.show || !spec.control) {
      group.addTo(map);
      if (legend) legend.addTo(map);
      if (slider) slider.on();
    }
    var loaded;
    if (spec.kind === "image") {
      loaded = get(spec.url).then(function (j) {
        L.imageOverlay(j.image, j.bounds, {pane: "envmon-" + spec.key, opacity: j.opacity || 0.7}).addTo(group);
      });
    } else {
      loaded = get(spec.url).then(function (gj) { draw(spec.key, spec, gj); });
    }
    window.envmonReady[spec.key] = loaded.then(function () {
      if (slider) slider.refresh();  // markers drawn after the slider showed a day
      return true;
    }, function (err) {
      notice(L10N.loading_failed + ": " + spec.name);
      if (window.console) console.warn(String(err));
      return false;
    });
  });
  // ---- surfaces (maps.staff_surfaces): image overlays, off by default; the layer's body (image
  // URL, corners, legend, zonal statistics) and the image itself are fetched when switched on ----
  window.envmonSurfaces = {};
  (cfg.surfaces || []).forEach(function (spec) {
    var paneName = "envmon-" + spec.key;
    map.createPane(paneName).style.zIndex = spec.pane;
    var group = L.featureGroup(), legend = null, body = null;
    control.addOverlay(group, spec.name);
    function load() {
      if (!body) {
        body = get(spec.url).then(function (j) {
          var img = L.imageOverlay(j.image, j.bounds,
            {pane: paneName, opacity: j.opacity || 0.7, className: "envmon-surface-image"});
          var drawn = new Promise(function (ok, bad) {
            img.once("load", function () { ok(true); });
            img.once("error", function () { bad(new Error(j.image + ": image failed")); });
          });
          img.addTo(group);
          legend = legendBox(Object.assign({}, j.legend, {html: j.zonal_html}), true);
          return drawn;
        });
      }
      return body;
    }
    map.on("overlayadd", function (e) {
      if (e.layer !== group) return;
      window.envmonSurfaces[spec.key] = load().then(function () {
        if (legend && map.hasLayer(group)) legend.addTo(map);
        return true;
      }, function (err) {
        body = null;
        notice(L10N.loading_failed + ": " + spec.key);
        if (window.console) console.warn(String(err));
        return false;
      });
    });
    map.on("overlayremove", function (e) {
      if (e.layer === group && legend) legend.remove();
    });
  });
  control.addTo(map);
  fitLegend();
  // The legend's body is only as tall as the room its corner leaves: on a desktop, below the
  // top-right stack (data box and layer control); on a phone, with the layer toggle under it, above
  // the co-control panel's line and the credit line (both at the bottom, whichever is higher).
  // Measured again each time the legend opens: fonts and the credit's wrapping settle late.
  function fitLegend() {
    var mapBox = map.getContainer().getBoundingClientRect(), room;
    if (narrow) {
      var floor = map.getContainer().querySelector(".leaflet-bottom.leaflet-right").getBoundingClientRect().top;
      var table = document.getElementById("envmon-cocontrol");
      if (table) floor = Math.min(floor, table.getBoundingClientRect().top);
      room = floor - panel.getContainer().getBoundingClientRect().bottom - control.getContainer().offsetHeight - 30;
    } else {
      room = mapBox.height - map.getContainer().querySelector(".leaflet-top.leaflet-right").offsetHeight - 70;
    }
    panelBody.style.maxHeight = Math.max(120, room) + "px";
  }
};
