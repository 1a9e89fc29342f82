"""A legend per layer: a Leaflet control built from JSON (escaped), shown while its layer is on."""

from __future__ import annotations

from collections.abc import Sequence

from branca.element import MacroElement
from folium.template import Template

from maps.i18n import t
from maps.palette import NO_DATA, Swatch


class Legend(MacroElement):
    """Legend control: ``title`` and ``(colour, label)`` rows; follows ``layer`` on and off.

    ``layer`` is a folium element or a JS expression naming a Leaflet layer (never user input).

    ``key`` names the legend in the page (``data-legend``) so that tests and scripts can find it.
    Labels reach the page as JSON and are inserted as text, never as HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var spec = {{ this.spec|tojson }};
          var map = {{ this._parent.get_name() }};
          var ctl = L.control({position: spec.position});
          ctl.onAdd = function () {
            var div = L.DomUtil.create("div", "envmon-legend leaflet-bar");
            div.setAttribute("data-legend", spec.key);
            div.style.cssText = "background:#fff;padding:4px 6px;font:11px/1.3 sans-serif;max-width:220px;max-height:40vh;overflow:auto";
            var h = L.DomUtil.create("div", "envmon-legend-title", div);
            h.style.fontWeight = "bold";
            h.textContent = spec.title;
            spec.rows.forEach(function (r) {
              var row = L.DomUtil.create("div", "envmon-legend-row", div);
              row.setAttribute("data-key", r[2]);
              var sw = L.DomUtil.create("i", "", row);
              sw.style.cssText = "display:inline-block;width:14px;height:14px;margin-right:6px;" +
                "vertical-align:middle;border:1px solid #555;background:" + r[0] +
                (r[3] ? ";border-radius:50%" : "");
              row.appendChild(document.createTextNode(r[1]));
            });
            if (spec.note) {
              var n = L.DomUtil.create("div", "envmon-legend-note", div);
              n.style.cssText = "margin-top:4px;color:#444";
              n.textContent = spec.note;
            }
            L.DomEvent.disableClickPropagation(div);
            return div;
          };
          {% if this.layer_js %}
          var layer = {{ this.layer_js }};
          map.on("overlayadd", function (e) { if (e.layer === layer) ctl.addTo(map); });
          map.on("overlayremove", function (e) { if (e.layer === layer) ctl.remove(); });
          if (map.hasLayer(layer)) ctl.addTo(map);
          {% else %}
          ctl.addTo(map);
          {% endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        key: str,
        title: str,
        swatches: Sequence[Swatch],
        lang: str,
        *,
        layer: MacroElement | str | None = None,
        no_data: bool = True,
        round_marks: bool = False,
        note: str | None = None,
        position: str = "bottomright",
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        # The layer's JS variable: a folium element's name, or a JS expression we wrote ourselves.
        self.layer_js = layer if isinstance(layer, str) or layer is None else layer.get_name()
        rows = [[s.colour, s.label(lang), s.key, round_marks] for s in swatches]
        if no_data:
            rows.append([NO_DATA, t("legend.no_data", lang), "no_data", round_marks])
        self.spec = {"key": key, "title": title, "rows": rows, "note": note, "position": position}
