"""Names in prompts: where a name appears in a text, and which names a refused prompt teaches.

A name is found wherever it appears: in any case, with or without accents ("Beyoncé"), as a
possessive ("Sony's", "Sony’s"), a plural ("Ferraris"), inside a hyphenated word
("Sony-style"), and with a hyphen, a space or nothing between its words ("Coca Cola").

A refusal teaches names only: the shipped names in it, and runs of capitalised words that hold
a word that is not ordinary English (`resources/lint/ordinary_words.txt`; its README says where
the list comes from). A capital that a word's place explains — the start of the text or of a
sentence, after a label ("Camera: Slow push in") or an opening quote — makes no name of an
ordinary word: "Warm cinematic shot of Taylor Swift" teaches "Taylor Swift", never "Warm".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from studio.core.resources import resources_dir
from studio.prompts.terms import Terms

_APOSTROPHES = "\u2019\u2018\u02bc"  # ’ ‘ ʼ: written for ' by phones and word processors
_WORD = re.compile(r"[^\W\d_][\w']*(?:-[\w']+)*")  # a word, hyphens and apostrophes inside
_OPENERS = frozenset('.!?:;\n"“”«([{|•*—–')  # after these a capital says nothing of a name
_SPACES = frozenset(" \t")  # what may stand between the words of one name


@dataclass(frozen=True)
class Found:
    """A name in a text: `start:end` is the name as written, without an 's or plural s."""

    key: str
    start: int
    end: int


def fold(text: str) -> str:
    """Lowercase, accents off, curly apostrophes straight: one character for each, so a span
    in the folded text is the same span in the text."""
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(c) for c in text)


@functools.cache
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    base = unicodedata.normalize("NFKD", char)[:1] or char
    lower = base.lower()
    return lower if len(lower) == 1 else base


def name_key(name: str) -> str:
    """One spelling per name: folded, no possessive, words apart ("Coca-Cola" → "coca cola")."""
    folded = re.sub(r"'s?$", "", fold(name).strip())
    return " ".join(w for w in re.split(r"[\s\-]+", folded) if w)


@functools.lru_cache(maxsize=4096)
def _pattern(key: str) -> re.Pattern[str]:
    body = r"[\s\-]*".join(re.escape(word) for word in key.split())
    return re.compile(rf"(?<!\w)(?P<name>{body})(?P<suffix>'s|s'|'|s)?(?!\w)")


def find_names(text: str, keys: Iterable[str]) -> list[Found]:
    """Every place each name (a `name_key`) appears in `text`, in the order they appear."""
    folded = fold(text)
    found: list[Found] = []
    for key in keys:
        if not key or key.split(maxsplit=1)[0] not in folded:  # most names: a glance
            continue
        for match in _pattern(key).finditer(folded):
            plural = match.group("suffix") in ("s", "s'")
            if plural and _fruit(key, text[match.start() : match.end()]):
                continue
            found.append(Found(key, match.start("name"), match.end("name")))
    return sorted(found, key=lambda f: (f.start, -f.end))


def _fruit(key: str, written: str) -> bool:
    """A lowercase plural of an ordinary word is that word, not the brand: "apples"."""
    return written.islower() and key in ordinary_words()


@functools.cache
def ordinary_words(path: Path | None = None) -> frozenset[str]:
    path = path or resources_dir() / "lint" / "ordinary_words.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


# ---- learning names from refused prompts ----------------------------------------------------


@dataclass(frozen=True)
class _Word:
    text: str  # as written, without an 's
    start: int
    end: int
    opens: bool  # first of its sentence, label or quote: its capital is explained


def learned_terms(
    texts: Iterable[str], *, terms: Terms | None = None, ordinary: Collection[str] | None = None
) -> list[str]:
    """The names in refused prompts, as first written, each once. Each text (a prompt, or one
    slot of it) starts a sentence."""
    terms = terms or Terms.load()
    plain = frozenset(ordinary if ordinary is not None else ordinary_words()) | {
        name_key(w) for w in terms.not_names
    }
    shipped = [name_key(n) for n in terms.likely_blocked]
    names: dict[str, str] = {}
    for text in texts:
        for name in _names_in(text.translate({ord(a): "'" for a in _APOSTROPHES}), shipped, plain):
            names.setdefault(name_key(name), name)
    return list(names.values())


def _names_in(text: str, shipped: list[str], plain: frozenset[str]) -> list[str]:
    spans: list[tuple[int, int]] = []  # shipped names, overlaps merged ("Spiderman" is two)
    for f in find_names(text, shipped):
        if spans and f.start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], f.end))
        else:
            spans.append((f.start, f.end))
    found = [(start, text[start:end]) for start, end in spans]
    for run in _runs(text):
        for piece in _outside(run, spans):
            name = _name_of(piece, plain, text)
            if name is not None:
                found.append((piece[0].start, name))
    return [name for _, name in sorted(found)]


def _runs(text: str) -> Iterator[list[_Word]]:
    """Runs of capitalised words with only spaces between them."""
    run: list[_Word] = []
    end = 0
    for match in _WORD.finditer(text):
        first, gap, end = end == 0, text[end : match.start()], match.end()
        token = match.group()
        if token.islower():  # most words: no capital, so no name, and the end of a run
            if run:
                yield run
            run = []
            continue
        opens = first or not _OPENERS.isdisjoint(gap)
        parts = token.split("-")
        capitals = next((i for i, p in enumerate(parts) if not _capitalised(p)), len(parts))
        written = re.sub(r"'s?$", "", "-".join(parts[:capitals]))
        if capitals == 0 or sum(c.isalpha() for c in written) < 2:  # "a", "I", "X-ray"
            if run:
                yield run
            run = []
            continue
        word = _Word(written, match.start(), match.start() + len(written), opens)
        if run and set(gap) <= _SPACES:
            run.append(word)
        else:
            if run:
                yield run
            run = [word]
        if capitals < len(parts):  # "Sony-style": the lowercase rest ends the run
            yield run
            run = []
    if run:
        yield run


def _capitalised(part: str) -> bool:
    """A capital anywhere: "Sony", "NASA", and the inner one of "iPhone" or "eBay"."""
    return part != part.lower()


def _outside(run: list[_Word], spans: list[tuple[int, int]]) -> Iterator[list[_Word]]:
    """The parts of a run that no shipped name covers (a part after one does not open)."""
    piece: list[_Word] = []
    for word in run:
        if any(word.start < end and start < word.end for start, end in spans):
            if piece:
                yield piece
            piece = []
        elif piece or word is run[0]:
            piece.append(word)
        else:
            piece = [_Word(word.text, word.start, word.end, opens=False)]
    if piece:
        yield piece


def _name_of(piece: list[_Word], plain: frozenset[str], text: str) -> str | None:
    """A name if a word in it is not ordinary; at a sentence start the ordinary words that
    lead ("Watch", "Warm") are the sentence's, not the name's."""
    if piece[0].opens:
        while piece and _ordinary(piece[0].text, plain):
            piece = piece[1:]
    if not piece or all(_ordinary(w.text, plain) for w in piece):
        return None
    return text[piece[0].start : piece[-1].end]


def _ordinary(word: str, plain: frozenset[str]) -> bool:
    """Every part of the word is an ordinary word (or its plural); "I'm" as "im"."""
    for part in name_key(word).split():
        bare = part.replace("'", "")
        if bare not in plain and not (bare.endswith("s") and bare[:-1] in plain):
            return False
    return True
