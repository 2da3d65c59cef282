"""The API's error messages (and the shared try-on page) in the client's language.

Messages are written in English where they are raised (``fail``, and the engine's
``InputError`` texts passed on); a catalog per language (``messages/<lang>.yaml``) maps each
English template, with ``{name}`` holes, to its translation, and ``words`` translates the
values that fill the holes ("the front photo"). A message no template matches gets its code's
general text (``codes``), the English kept as ``detail``. The language comes from the request's
``lang`` query parameter, else its Accept-Language header; English is the default. A shop adds
languages, or overrides entries, with catalogs of its own (``TRYON_MESSAGES``: a folder of
``<lang>.yaml`` files, merged over the built-in ones).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

BUILT_IN = Path(__file__).parent / "messages"
DEFAULT = "en"
HOLE = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Catalog:
    """One language's translations: (pattern of the English template, translation) pairs,
    translated words, and a general text per error code."""

    templates: tuple[tuple[re.Pattern, str], ...]
    words: dict[str, str]
    codes: dict[str, str]

    def translate(self, message: str, code: str) -> tuple[str, str | None]:
        """``message`` (English) in this language, and the English kept as a detail when only
        its code's general text could be given."""
        said = self.say(message)
        if said is not None:
            return said, None
        return self.codes.get(code, self.codes["error"]), message

    def say(self, message: str) -> str | None:
        """``message`` (English) in this language, if a template matches it."""
        for pattern, translation in self.templates:
            match = pattern.fullmatch(message)
            if match:
                return translation.format(**{name: self.words.get(value, value)
                                             for name, value in match.groupdict().items()})
        return None


@lru_cache(maxsize=16)
def languages(extra: Path | None = None) -> tuple[str, ...]:
    """The languages answered in: English and each catalog's."""
    found = {path.stem for folder in (BUILT_IN, extra) if folder for path in folder.glob("*.yaml")}
    return (DEFAULT, *sorted(found - {DEFAULT}))


@lru_cache(maxsize=16)
def catalog(lang: str, extra: Path | None = None) -> Catalog:
    """The catalog of ``lang``: the built-in one with the shop's (``extra``) merged over it."""
    merged: dict[str, dict] = {"templates": {}, "words": {}, "codes": {}}
    for folder in (BUILT_IN, extra):
        path = folder / f"{lang}.yaml" if folder else None
        if path and path.is_file():
            for part, entries in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
                merged[part].update(entries or {})
    templates = tuple((_pattern(english), translation)
                      for english, translation in merged["templates"].items())
    return Catalog(templates, merged["words"], merged["codes"])


def _pattern(template: str) -> re.Pattern:
    """The English ``template`` as a pattern whose named groups are its holes."""
    parts = HOLE.split(template)  # text, name, text, name, ..., text
    return re.compile("".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
                              for index, part in enumerate(parts)), re.DOTALL)
