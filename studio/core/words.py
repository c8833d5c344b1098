"""Numbers in words as people write them: "1 clip", "3 clips" (never "3 clip(s)")."""

from __future__ import annotations


def count(n: int, noun: str) -> str:
    """`n` and the noun, plural unless one (nouns with a plain -s plural)."""
    return f"{n} {noun}{'s' * (n != 1)}"
