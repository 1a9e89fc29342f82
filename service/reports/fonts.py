"""The reports' font: Noto Sans SC, embedded in every PDF (subset), never left to the viewer.

The font file comes from the ``justmytype-intl-cjk`` package that ``make install`` installs
(Noto Sans SC, SIL Open Font License 1.1, TrueType ``glyf`` outlines, which reportlab can embed;
CFF-outline OpenType files it cannot). The file is a variable font whose default instance is
Thin (weight 100), so each report cuts it to the characters it uses (fontTools' subsetter, about two
seconds) and fixes the cut at two weights (400 for text, 700 for headings); reportlab then embeds
only the glyphs drawn. A process keeps the last few cuts, so the same report twice cuts once.
The cut is registered with reportlab only while one PDF is built (``embedded_fonts``).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from fontTools import subset, ttLib
from fontTools.varLib import instancer
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

#: The package and file the font comes from (see pyproject.toml).
FONT_PACKAGE = "justmytype_intl_cjk"
FONT_FILE = "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"
FAMILY = "Noto Sans SC"
#: Weights cut from the variable font (its ``wght`` axis runs 100..900).
REGULAR_WEIGHT, BOLD_WEIGHT = 400, 700
#: Characters every cut holds besides the report's own text: printable ASCII, digits and the marks
#: numbers, dates and tables use, so a label added later never falls back to a missing glyph.
ALWAYS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "·—–…%‰≤≥±×÷°′″“”‘’（）【】《》〈〉「」、。，：；！？～－＋＝／"
    + "ⅠⅡⅢⅣⅤⅥ₂₃μ³·年月日时分秒"
)


def font_path() -> Path:
    """The installed variable Noto Sans SC file."""
    return Path(str(files(FONT_PACKAGE) / FONT_FILE))


@dataclass(frozen=True, slots=True)
class ReportFonts:
    """The reportlab names of a registered cut: text and headings."""

    regular: str
    bold: str


def _rename(font: object, weight: int) -> None:
    """Name the fixed instance for what it is (the file's default names say Thin)."""
    style = "Bold" if weight >= BOLD_WEIGHT else "Regular"
    name = font["name"]  # type: ignore[index]
    for name_id, value in (
        (1, FAMILY),
        (2, style),
        (4, f"{FAMILY} {style}"),
        (6, f"NotoSansSC-{style}"),
        (16, FAMILY),
        (17, style),
    ):
        name.setName(value, name_id, 3, 1, 0x409)
        name.setName(value, name_id, 1, 0, 0)
    font["OS/2"].usWeightClass = weight  # type: ignore[index]


@lru_cache(maxsize=8)
def _cut(chars: frozenset[str]) -> tuple[bytes, bytes]:
    """TrueType bytes of the font cut to ``chars`` at the regular and bold weights."""
    font = ttLib.TTFont(str(font_path()), lazy=True)
    options = subset.Options()
    options.layout_features = []  # Chinese and Latin report text needs no shaping
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "STAT", "vhea", "vmtx"]
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    out = []
    for weight in (REGULAR_WEIGHT, BOLD_WEIGHT):
        instance = instancer.instantiateVariableFont(font, {"wght": weight})
        _rename(instance, weight)
        buf = io.BytesIO()
        instance.save(buf)
        out.append(buf.getvalue())
    font.close()  # the lazy font kept the file open
    return out[0], out[1]


#: reportlab keeps fonts in process-wide registries and maps a face name to the first font
#: registered with it, so two cuts of the same face must never be registered at once: a report
#: registers its cut, builds, and unregisters it, one report at a time.
_LOCK = threading.Lock()
REGULAR, BOLD = "NotoSansSC-Regular", "NotoSansSC-Bold"


@contextmanager
def embedded_fonts(text: str) -> Iterator[ReportFonts]:
    """Register a cut of Noto Sans SC holding ``text``'s characters and ``ALWAYS`` for the time
    of one PDF build; yields the names to draw with. Builds in other threads wait meanwhile."""
    chars = frozenset(ch for ch in text + ALWAYS if ch.isprintable())
    regular, bold = _cut(chars)
    with _LOCK:
        fonts = [TTFont(REGULAR, io.BytesIO(regular)), TTFont(BOLD, io.BytesIO(bold))]
        for font in fonts:
            _unregister(font.fontName, font.face.name)
            pdfmetrics.registerFont(font)
        try:
            yield ReportFonts(REGULAR, BOLD)
        finally:
            for font in fonts:
                _unregister(font.fontName, font.face.name)


def _unregister(font_name: str, face_name: str) -> None:
    """Take a font out of reportlab's registries (it has no public call for this)."""
    pdfmetrics._fonts.pop(font_name, None)
    pdfmetrics._dynFaceNames.pop(face_name, None)


__all__ = ["ALWAYS", "BOLD", "FAMILY", "REGULAR", "ReportFonts", "embedded_fonts", "font_path"]
