"""File names for exported clips, from a template such as `{project}_{shot}_{take}_{decision}`.

Whatever a prompt, project or template holds, a name never leaves the target folder, is
never a reserved name on Windows, never exceeds 255 bytes, and never collides with another
name of the same export (collisions get " (2)", " (3)" …; nothing is overwritten)."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping

from studio.errors import StudioError

DEFAULT_TEMPLATE = "{project}_{shot}_{take}_{decision}"
FIELDS = ("project", "shot", "take", "version", "decision", "model", "date")
MAX_BYTES = 255  # the limit of ext4, NTFS, APFS for one name

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
    check_template(template)
    return template.format_map({k: str(v) for k, v in fields.items()})


def safe_name(raw: str, suffix: str) -> str:
    """`raw` + `suffix` as one safe file name (see the module docstring)."""
    name = unicodedata.normalize("NFC", raw)
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\.{2,}", ".", name)  # no "..", whatever surrounds it
    name = name.strip(" .")  # Windows drops trailing dots and spaces; a leading dot hides
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    name = name or "take"
    room = MAX_BYTES - len(suffix.encode())
    encoded = name.encode()
    if len(encoded) > room:
        name = encoded[:room].decode(errors="ignore").rstrip(" .") or "take"
    return name + suffix


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
