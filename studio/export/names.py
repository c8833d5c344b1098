"""File names for exported clips, from a template such as `{project}_{shot}_{take}_{decision}`.

Whatever a prompt, project or template holds, a name never leaves the target folder, is
never a reserved name on Windows, never collides with another name of the same export
(collisions get " (2)", " (3)" …; nothing is overwritten), and fits 255 bytes of UTF-8 —
with the sidecar's `.json` in place of `.mp4`, and as the temporary `.NAME.xxxxxxxx.part`
it is written under — cut on a character boundary. Numbers are padded to a fixed width, so
names sort as text in their numeric order (1, 2, 11, not 1, 11, 2) and a take keeps its
name from one export to the next (a re-export finds its file there and skips it)."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping

from studio.core.errors import StudioError
from studio.core.files import MAX_NAME_BYTES, PART_EXTRA_BYTES

DEFAULT_TEMPLATE = "{project}_{shot}_{take}_{decision}"
FIELDS = ("project", "shot", "take", "version", "decision", "model", "date")
MAX_BYTES = MAX_NAME_BYTES  # the limit of ext4, NTFS, APFS for one name
SIDECAR = ".json"  # a clip NAME.mp4 has its sidecar NAME.json: both must fit
MAX_FIELD_BYTES = 96  # one field's value in a name: a long project leaves room for the take
# Zero-padded widths of the numbers in a name: fixed, not the widest of one export, so a
# take's name never changes with what else is exported. Six digits sort a library of up to
# 999,999 takes; a revision depth past 99 is rare enough to run longer.
NUMBER_WIDTHS = {"shot": 6, "take": 6, "version": 2}

# Characters Windows refuses in names, path separators, and control characters (NUL …).
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)}


class TemplateError(StudioError):
    """The name template cannot be used (an unknown field, a stray brace)."""


def check_template(template: str) -> None:
    """Refuse a template with fields we do not fill, before anything is copied."""
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as err:
        raise TemplateError(f"The name template {template!r} is not valid: {err}.") from None
    unknown = sorted({n for n in names if n not in FIELDS})
    if unknown or not names:
        raise TemplateError(
            f"The name template {template!r} "
            + (f"uses unknown field(s) {', '.join(unknown)}" if unknown else "has no fields")
            + f"; the fields are {', '.join('{' + f + '}' for f in FIELDS)}."
        )


def render(template: str, fields: Mapping[str, object]) -> str:
    """The template filled in, numbers padded (NUMBER_WIDTHS), each field cut to
    MAX_FIELD_BYTES (between characters)."""
    check_template(template)
    return template.format_map({k: _cut_field(_shown(k, v)) for k, v in fields.items()})


def _cut_field(value: str) -> str:
    return value.encode()[:MAX_FIELD_BYTES].decode(errors="ignore")


def _shown(field: str, value: object) -> str:
    width = NUMBER_WIDTHS.get(field)
    if width is not None and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return f"{value:0{width}d}"
    return str(value)


def room_for(suffix: str) -> int:
    """Bytes left for the stem of a name ending in `suffix` (" (2).mp4"), so that the name,
    its sidecar's name (" (2).json"), and the temporary name either is written under all
    fit MAX_BYTES."""
    extra, dot, extension = suffix.rpartition(".")
    ending = len(extra.encode()) + max(len((dot + extension).encode()), len(SIDECAR))
    return MAX_BYTES - PART_EXTRA_BYTES - ending


def safe_name(raw: str, suffix: str) -> str:
    """`raw` + `suffix` as one safe file name (see the module docstring)."""
    name = unicodedata.normalize("NFC", raw)
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\.{2,}", ".", name)  # no "..", whatever surrounds it
    name = _cut(name, room_for(suffix))
    if name.split(".")[0].upper() in _RESERVED:  # after the cut, which could make one
        name = _cut("_" + name, room_for(suffix))
    return name + suffix


def _cut(name: str, room: int) -> str:
    """At most `room` bytes of UTF-8, cut between characters (never inside one), without
    the leading or trailing dots and spaces Windows drops or that hide a file."""
    name = name.strip(" .")
    encoded = name.encode()
    if len(encoded) > room:
        name = encoded[:room].decode(errors="ignore").strip(" .")
    return name or "take"


def sidecar_name(clip: str) -> str:
    """The sidecar beside clip NAME.mp4: NAME.json."""
    return clip.removesuffix(".mp4") + SIDECAR


class NameBook:
    """Hands out names unique within one export folder (case-insensitively, as Windows and
    macOS compare them); a name already taken gets " (2)", " (3)" …"""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, raw: str, suffix: str) -> str:
        name = safe_name(raw, suffix)
        stem = name[: -len(suffix)] if suffix else name
        count = 1
        while name.casefold() in self._taken:
            count += 1
            extra = f" ({count})"
            name = safe_name(stem, extra + suffix)
        self._taken.add(name.casefold())
        return name

    def release(self, name: str) -> None:
        """Give back a name claimed but not used (the folder holds another file under it)."""
        self._taken.discard(name.casefold())
