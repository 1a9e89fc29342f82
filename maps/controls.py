"""Small controls of our own: the daily-AQI time slider and the title/data-time/notice box.

Each is a ``MacroElement`` whose data reach the page as escaped JSON and are inserted as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import folium
from branca.element import MacroElement
from folium.template import Template

from maps import palette
from maps.escape import html_text
from maps.i18n import t


class InfoBox(MacroElement):
    """Top-left box: title, data time, and notices (stale data, demo feed)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var spec = {{ this.spec|tojson }};
          var ctl = L.control({position: "topright"});
          ctl.onAdd = function () {
            var div = L.DomUtil.create("div", "envmon-info leaflet-bar");
            div.style.cssText = "background:#fff;padding:6px 8px;font:13px/1.4 sans-serif;max-width:300px";
            var h = L.DomUtil.create("div", "envmon-title", div);
            h.style.fontWeight = "bold";
            h.textContent = spec.title;
            var d = L.DomUtil.create("div", "envmon-data-time", div);
            d.textContent = spec.time_label + ": " + spec.time;
            spec.notices.forEach(function (n) {
              var p = L.DomUtil.create("div", "envmon-notice envmon-notice-" + n[0], div);
              p.style.cssText = "color:#B00;font-weight:bold";
              p.textContent = n[1];
            });
            return div;
          };
          ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self, title: str, data_time: str, lang: str, notices: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "InfoBox"
        self.spec = {
            "title": title,
            "time_label": t("field.data_time", lang),
            "time": data_time,
            "notices": [list(n) for n in notices],
        }


class DailyAqiSlider(MacroElement):
    """A range input over the days of a period; recolours ``markers`` by each day's AQI level."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var spec = {{ this.spec|tojson }};
          var map = {{ this._parent.get_name() }};
          var layer = {{ this.layer.get_name() }};
          var markers = { {% for code, m in this.markers.items() %}
            {{ code|tojson }}: {{ m.get_name() }},{% endfor %} };
          function colour(v) {
            if (v === null) return spec.no_data;
            for (var i = 0; i < spec.scale.length; i++) {
              var hi = spec.scale[i][0];
              if (hi === null || v <= hi) return spec.scale[i][1];
            }
            return spec.no_data;
          }
          var ctl = L.control({position: "bottomleft"});
          var input, label;
          function show(i) {
            label.textContent = spec.date_label + " " + spec.dates[i];
            Object.keys(markers).forEach(function (code) {
              var v = (spec.values[code] || [])[i];
              v = (v === undefined) ? null : v;
              markers[code].setStyle({fillColor: colour(v)});
              markers[code].setTooltipContent(spec.names[code] + ": AQI " + (v === null ? "—" : v));
            });
          }
          ctl.onAdd = function () {
            var div = L.DomUtil.create("div", "envmon-slider leaflet-bar");
            div.style.cssText = "background:#fff;padding:6px 8px;font:12px sans-serif";
            label = L.DomUtil.create("div", "envmon-slider-date", div);
            input = L.DomUtil.create("input", "", div);
            input.type = "range"; input.min = 0; input.max = spec.dates.length - 1; input.step = 1;
            input.value = spec.dates.length - 1;
            input.setAttribute("aria-label", spec.date_label);
            input.style.width = "220px";
            var play = L.DomUtil.create("button", "envmon-slider-play", div);
            play.type = "button"; play.textContent = spec.play;
            var timer = null;
            L.DomEvent.on(play, "click", function () {
              if (timer) { clearInterval(timer); timer = null; return; }
              timer = setInterval(function () {
                var i = (parseInt(input.value, 10) + 1) % spec.dates.length;
                input.value = i; show(i);
              }, 700);
            });
            L.DomEvent.on(input, "input", function () { show(parseInt(input.value, 10)); });
            L.DomEvent.disableClickPropagation(div);
            return div;
          };
          function on() { ctl.addTo(map); show(parseInt(input.value, 10)); }
          map.on("overlayadd", function (e) { if (e.layer === layer) on(); });
          map.on("overlayremove", function (e) { if (e.layer === layer) ctl.remove(); });
          if (map.hasLayer(layer)) on();
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        layer: folium.FeatureGroup,
        markers: Mapping[str, folium.CircleMarker],
        dates: Sequence[str],
        values: Mapping[str, Sequence[int | None]],
        names: Mapping[str, str],
        lang: str,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "DailyAqiSlider"
        self.layer = layer
        self.markers = dict(markers)
        self.spec = {
            "dates": list(dates),
            "values": {k: list(v) for k, v in values.items()},
            # the slider sets these as tooltip HTML: escaped like every other name on the page
            "names": {code: html_text(name) for code, name in names.items()},
            "scale": palette.aqi_scale(),
            "no_data": palette.NO_DATA,
            "date_label": t("field.date", lang),
            "play": t("control.play", lang),
        }
