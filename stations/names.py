"""Names of stations and sections as files write them: codes, Chinese and English names, aliases.

Lab files and automatic-station files name a section by its code (``WS-330902-01``), its name
(``虹桥水库``), its English name or another name the bureau registered as an alias (``虹桥水库坝前``).
:class:`NameIndex` maps each of those, compared after :func:`name_key` (Unicode NFKC, so full-width
brackets and digits equal ASCII ones; white space removed; case folded), to the one code it means.
A name two entries share is *ambiguous*: it resolves to nothing and says which codes it could be.
Pure: the caller passes the registry rows (``service.registry`` reads them from the store).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field


def name_key(text: object) -> str:
    """The comparison form of a code or name: NFKC, no white space, case-folded."""
    norm = unicodedata.normalize("NFKC", str(text))
    return "".join(norm.split()).casefold()


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """One station or section as the name index needs it."""

    code: str
    name: str | None = None
    name_en: str | None = None
    aliases: Sequence[str] = ()


@dataclass(frozen=True)
class NameIndex(Mapping[str, str]):
    """Code/name/alias -> code, compared by :func:`name_key`; also a read-only ``Mapping``.

    ``index[text]`` and ``index.get(text)`` accept any spelling; iteration yields the normalised keys.
    """

    codes: frozenset[str]
    _by_key: dict[str, str] = field(default_factory=dict)
    _ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __getitem__(self, text: str) -> str:
        return self._by_key[name_key(text)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, text: object) -> bool:
        return name_key(text) in self._by_key

    def resolve(self, text: str, what: str = "section") -> tuple[str | None, str | None]:
        """``(code, None)`` for a known spelling, else ``(None, reason)``; ``what`` names the kind."""
        key = name_key(text)
        code = self._by_key.get(key)
        if code is not None:
            return code, None
        if key in self._ambiguous:
            options = ", ".join(self._ambiguous[key])
            return None, f"{what} name {text!r} is ambiguous in the registry (it names {options})"
        return None, f"unknown {what} {text!r} (no code, name or alias in the {what} registry)"


def build_name_index(entries: Iterable[RegistryEntry]) -> NameIndex:
    """Index every entry's code, name, English name and aliases.

    A code always wins over a name that happens to equal it; a name or alias claimed by two
    different codes is ambiguous (never guessed).
    """
    entries = list(entries)
    by_key: dict[str, str] = {}
    claims: dict[str, set[str]] = {}
    for e in entries:
        by_key[name_key(e.code)] = e.code
    for e in entries:
        for text in (e.name, e.name_en, *e.aliases):
            if text is None or not str(text).strip():
                continue
            claims.setdefault(name_key(text), set()).add(e.code)
    ambiguous: dict[str, tuple[str, ...]] = {}
    codes = set(by_key)
    for key, owners in claims.items():
        if key in codes:
            continue  # equal to a code: the code wins
        if len(owners) == 1:
            by_key[key] = next(iter(owners))
        else:
            ambiguous[key] = tuple(sorted(owners))
    return NameIndex(frozenset(e.code for e in entries), by_key, ambiguous)


def resolve_name(
    names: Mapping[str, str], text: str, what: str = "section"
) -> tuple[str | None, str | None]:
    """Resolve ``text`` with a :class:`NameIndex`, or with a plain name -> code mapping."""
    if isinstance(names, NameIndex):
        return names.resolve(text, what)
    code = names.get(text)
    if code is None and text in set(names.values()):
        code = text
    if code is None:
        return None, f"unknown {what} {text!r} (not in the {what} registry)"
    return code, None


__all__ = ["NameIndex", "RegistryEntry", "build_name_index", "name_key", "resolve_name"]
