"""Small controls of our own: the title/data-time/notice box (the staff map's time slider is in
``maps/static/staff.js``).

Each is a ``MacroElement`` whose data reach the page as escaped JSON and are inserted as text.
"""

from __future__ import annotations

from collections.abc import Sequence

from branca.element import MacroElement
from folium.template import Template

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


class MetricScale(MacroElement):
    """A metric-only scale bar, bottom left (folium's ``control_scale`` draws miles and feet too)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "MetricScale"
