"""A Folium page to HTML with deterministic element ids.

Branca names every element with a random 128-bit id (``os.urandom``), so two renders of the same map
differ byte for byte: the public page's ETag then changes with every rebuild and differs between two
server processes on the same store. :func:`page_html` renders once and replaces each element's id,
in tree order, by a counter of the same width, so equal inputs give equal pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from branca.element import Element

#: Branca's ids are 16 random bytes in hex.
ID_WIDTH = 32
#: Every script tag of a rendered page carries this attribute; the service replaces the value by
#: a fresh nonce per response and names it in ``script-src`` (``service.api.csp``). Pages written
#: to disk keep it, harmlessly. Safe to add to every tag because data reach the page only through
#: ``maps.escape`` (no ``<`` of data survives), so every ``<script`` is one the templates wrote.
NONCE_PLACEHOLDER = "envmon-csp-nonce"
NONCE_ATTR = f'nonce="{NONCE_PLACEHOLDER}"'
_SCRIPT_TAG = re.compile(r"<script(?=[\s>])", re.IGNORECASE)
#: A run of exactly ``ID_WIDTH`` lowercase hex digits, where branca's ids stand in a page.
_HEX_RUN = re.compile(rf"(?<![0-9a-f])[0-9a-f]{{{ID_WIDTH}}}(?![0-9a-f])")


def _element_ids(element: Element, seen: set[int] | None = None) -> Iterator[str]:
    """Every id in the tree below ``element`` (itself first), depth first in insertion order.

    Besides its children, an element may own elements as attributes that are rendered inside it but
    not registered as children (a popup's ``html``, ``header`` and ``script``).
    """
    seen = set() if seen is None else seen
    if id(element) in seen:
        return
    seen.add(id(element))
    yield element._id
    owned = [v for k, v in vars(element).items() if k != "_parent" and isinstance(v, Element)]
    for child in [*element._children.values(), *owned]:
        yield from _element_ids(child, seen)


def page_html(element: Element) -> str:
    """The whole page of ``element`` (a map or any element of it) as HTML, ids made deterministic.

    Text replacement rather than renaming the elements: some elements copy a neighbour's name into
    their own state when built (a legend keeps its layer's JavaScript name), which a rename would miss.
    """
    root = element.get_root()
    html = root.render()  # first: rendering may add elements (links in the header)
    html = numbered_ids(html, list(dict.fromkeys(_element_ids(root))))
    return with_script_nonce(_zoomable(_with_lang(html, getattr(root, "envmon_lang", None))))


def numbered_ids(html: str, ids: list[str]) -> str:
    """``html`` with each of ``ids`` replaced by its position (1, 2, ...) as ``ID_WIDTH`` hex digits.

    One pattern for every id: an alternation of all ids was quadratic in the number of elements
    (0.8 s for a page of 50 stations). A run of hex digits that is no element's id stays as it is.
    """
    mapping = {old: f"{n:0{ID_WIDTH}x}" for n, old in enumerate(ids, start=1)}
    return _HEX_RUN.sub(lambda match: mapping.get(match.group(0), match.group(0)), html)


#: Folium's viewport forbids zooming (``user-scalable=no``), which locks out people who need it.
_VIEWPORT = re.compile(r"<meta\s+name=[\"']viewport[\"'][^>]*>", re.IGNORECASE)
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def _zoomable(html: str) -> str:
    """``html`` with a viewport that allows page zoom (WCAG 1.4.4)."""
    return _VIEWPORT.sub(VIEWPORT, html, count=1)


def _with_lang(html: str, lang: str | None) -> str:
    """``html`` whose ``<html>`` tag names the page's language (``zh`` -> ``zh-CN``)."""
    if not lang:
        return html
    tag = "zh-CN" if lang == "zh" else lang
    return re.sub(r"<html(?=[\s>])", f'<html lang="{tag}"', html, count=1, flags=re.IGNORECASE)


def with_script_nonce(html: str) -> str:
    """``html`` with ``NONCE_ATTR`` on each ``<script>`` tag (pages whose text is all escaped)."""
    return _SCRIPT_TAG.sub(f"<script {NONCE_ATTR}", html)
