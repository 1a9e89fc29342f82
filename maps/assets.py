"""Front-end files the maps load, served by envmon itself (no CDN).

Python-packaged files come from the XStatic packages, the rest from npm packages pinned in
``package-lock.json`` (installed by ``npm ci`` into ``node_modules/``). Pages name them by URL under
one prefix (``/static/vendor`` in the service, ``static/vendor`` next to rendered files); the
service's route and ``envmon render-maps`` use ``vendor_dirs()`` to find the files.

Folium's class-level ``default_js``/``default_css`` point at public CDNs; ``use_local_assets``
replaces them on ONE element instance (never on the class).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import xstatic.pkg.font_awesome as fa
import xstatic.pkg.jquery as jq
import xstatic.pkg.leaflet as lf
import xstatic.pkg.leaflet_markercluster as mc
from branca.element import MacroElement

#: Default URL prefix of the vendor files in the service.
VENDOR_PREFIX: Final = "/static/vendor"

#: npm packages the pages use; each must be in package.json.
NPM_PACKAGES: Final = ("leaflet.fullscreen", "uplot")

#: Logical asset -> (package directory name under the prefix, file inside it).
FILES: Final[dict[str, tuple[str, str]]] = {
    "leaflet": ("leaflet", "leaflet.js"),
    "leaflet_css": ("leaflet", "leaflet.css"),
    "jquery": ("jquery", "jquery.min.js"),
    "font_awesome_css": ("font-awesome", "css/all.min.css"),
    "markercluster": ("leaflet-markercluster", "leaflet.markercluster.js"),
    "markercluster_css": ("leaflet-markercluster", "MarkerCluster.css"),
    "markercluster_default_css": ("leaflet-markercluster", "MarkerCluster.Default.css"),
    "fullscreen": ("leaflet.fullscreen", "Control.FullScreen.js"),
    "fullscreen_css": ("leaflet.fullscreen", "Control.FullScreen.css"),
    # uPlot (MIT), the public map's popup charts.
    "uplot": ("uplot", "dist/uPlot.iife.min.js"),
    "uplot_css": ("uplot", "dist/uPlot.min.css"),
    # envmon's own page script and style for the public map (maps/static).
    "public_js": ("envmon", "public.js"),
    "public_css": ("envmon", "public.css"),
    # and for the staff map
    "staff_js": ("envmon", "staff.js"),
}


def asset_url(name: str, prefix: str = VENDOR_PREFIX) -> str:
    """URL of the logical asset ``name`` under ``prefix``."""
    package, path = FILES[name]
    return f"{prefix.rstrip('/')}/{package}/{path}"


def use_local_assets(
    element: MacroElement, js: list[str], css: list[str], prefix: str = VENDOR_PREFIX
) -> None:
    """Point ``element``'s own ``default_js``/``default_css`` (an instance attribute) at local files."""
    element.default_js = [(n, asset_url(n, prefix)) for n in js]  # type: ignore[attr-defined]
    element.default_css = [(n, asset_url(n, prefix)) for n in css]  # type: ignore[attr-defined]


def _project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def vendor_dirs(node_modules: Path | None = None) -> dict[str, Path]:
    """Package directory name -> directory holding its files (XStatic data dirs, npm packages).

    An npm package that is not installed is left out; its URL then answers 404 and the page
    degrades (no fullscreen button) instead of reaching for a CDN.
    """
    dirs = {
        "leaflet": Path(lf.BASE_DIR),
        "jquery": Path(jq.BASE_DIR),
        "font-awesome": Path(fa.BASE_DIR),
        "leaflet-markercluster": Path(mc.BASE_DIR),
        "envmon": Path(__file__).resolve().parent / "static",
    }
    root = node_modules or _project_root() / "node_modules"
    for name in NPM_PACKAGES:
        if (root / name).is_dir():
            dirs[name] = root / name
    return dirs


def resolve_vendor_file(package: str, path: str, dirs: dict[str, Path]) -> Path | None:
    """The file ``path`` inside ``package``'s directory, or None (unknown, missing, or escaping)."""
    base = dirs.get(package)
    if base is None:
        return None
    if "\x00" in path:  # no file has a NUL in its name; Path.resolve() would raise (a 500)
        return None
    base = base.resolve()
    try:
        target = (base / path).resolve()
    except (OSError, ValueError, RuntimeError):  # over-long names, symlink loops
        return None
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target
