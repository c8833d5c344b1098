"""Reading a sidecar found in an import folder, where it may be anything.

Before a field is used, the file must be: a regular file of at most `MAX_BYTES` (a larger
one is refused from its size, never read whole), UTF-8, JSON nested at most `MAX_DEPTH`
deep (counted on the text before parsing, so deep nesting is refused, not a
RecursionError), with every number one SQLite can hold and finite, every string valid
Unicode, and valid against `resources/schema/sidecar-1.schema.json`; its rubric must be one
Studio can use, and its notes ones Studio keeps (studio.core.notes.check_note: not empty,
within the limits of text, shapes and points). `BadSidecar` names the field that is wrong
("review.history[0].decision", "notes[2].drawing")."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import math
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from studio.core.notes import (
    Note,
    NoteError,
    check_drawing_size,
    check_note,
    drawing_from_json,
)
from studio.core.resources import resources_dir
from studio.export.sidecar import SCHEMA
from studio.review.rubric import RubricError, parse_rubric

MAX_BYTES = 8 << 20  # a sidecar with a long history and a large provenance is well under 1 MiB
MAX_DEPTH = 32  # the schema's deepest field (a listed rubric's criterion's anchors) is at depth 7
MAX_NOTES = 2_000  # notes on one take's frames: far more than a clip of 25 s is given
MAX_NOTE_POINTS = 100_000  # their drawings' points together (each note: studio.core.notes)
INT_RANGE = (-(2**63), 2**63 - 1)  # what SQLite stores as an integer
SCHEMA_FILE = "sidecar-1.schema.json"

_WORD = re.compile(r"[A-Za-z0-9_-]{1,40}")
# A JSON string (closed, or running to the end: an unclosed one must not make the scan
# start again from each later quote, which took hours on a 1 MB file), or a bracket:
# brackets inside strings do not count as nesting.
_SCAN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)|[\[\]{}]', re.DOTALL)


class BadSidecar(Exception):
    """Why a sidecar cannot be used: the field (empty: the file as a whole) and what is
    wrong with it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem


def read_sidecar(path: Path) -> dict[str, Any] | None:
    """The sidecar's content, checked as the module says; None when the file is JSON but
    not a Studio sidecar (another tool's file of the same name); `BadSidecar` otherwise."""
    raw = _read_capped(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadSidecar("", f"not UTF-8 text (byte {err.start})") from None
    _check_depth(text)
    try:
        data = json.loads(text)
    except ValueError as err:  # also a number of more digits than Python converts
        raise BadSidecar("", f"not valid JSON ({_short(str(err), 120)})") from None
    if not isinstance(data, dict) or "schema" not in data:
        return None
    if data["schema"] != SCHEMA:
        raise BadSidecar(
            "schema", f"{_preview(data['schema'])} is not a version this Studio reads ({SCHEMA})"
        )
    _check_note_sizes(data)
    _check_values(data)
    error = best_match(itertools.islice(_validator().iter_errors(data), 100))
    if error is not None:
        raise BadSidecar(field_path(error.absolute_path), _explain(error))
    _check_rubrics(data)
    notes_from_sidecar(data)
    return data


def notes_from_sidecar(
    data: dict[str, Any],
    *,
    job_id: int = 0,
    picture: tuple[int, int] | None = None,
    frames: int | None = None,
    fps: float | None = None,
) -> list[Note]:
    """The sidecar's notes on the frame (schema-checked already) for take `job_id`, each
    checked as the library checks a note: against the clip's picture, length and rate when
    they are given (a frame past the end, or frames counted at another rate, are refused;
    a shape is clipped to the picture). `BadSidecar` names the note and its field."""
    found = []
    for i, entry in enumerate(data.get("notes") or []):
        where = f"notes[{i}]"
        given = float(entry["fps"])
        if fps is not None and abs(given - fps) > fps / 1000:
            raise BadSidecar(f"{where}.fps", f"{given:g} is not the clip's frame rate ({fps:g})")
        try:
            note = Note(
                job_id=job_id,
                frame=int(entry["frame"]),
                end_frame=entry.get("end_frame"),
                fps=float(entry["fps"]),
                text=str(entry["text"]),
                shapes=drawing_from_json(entry["drawing"]),
                author=str(entry["author"]),
                created_at=_timestamp(entry["created"]),
                edited_at=_timestamp(entry["edited"]) if entry.get("edited") else None,
            )
            found.append(check_note(note, picture=picture, frames=frames))
        except NoteError as err:
            raise BadSidecar(f"{where}.{err.field}" if err.field else where, err.problem) from None
    return found


def _timestamp(text: str) -> float:
    """A time the schema has checked (ISO 8601 with its offset) as a timestamp."""
    return dt.datetime.fromisoformat(text).timestamp()


def _check_note_sizes(data: dict[str, Any]) -> None:
    """Notes are counted before the schema walks them (8 MiB of drawing is a million
    points: 40 s of validation): at most `MAX_NOTES`, each drawing within a note's limits,
    all of them at most `MAX_NOTE_POINTS` points together (about 3 s to validate)."""
    notes = data.get("notes")
    if not isinstance(notes, list):
        return  # the schema says what is wrong with it
    if len(notes) > MAX_NOTES:
        raise BadSidecar(
            "notes", f"{len(notes):,} notes, more than the {MAX_NOTES:,} a take may carry"
        )
    total = 0
    for i, note in enumerate(notes):
        drawing = note.get("drawing") if isinstance(note, dict) else None
        try:
            total += check_drawing_size(drawing)
        except NoteError as err:
            raise BadSidecar(f"notes[{i}].{err.field}", err.problem) from None
        if total > MAX_NOTE_POINTS:
            raise BadSidecar(
                "notes", f"more than the {MAX_NOTE_POINTS:,} points all notes may have together"
            )


def _check_rubrics(data: dict[str, Any]) -> None:
    """Every rubric a rubric Studio can load, and every rubric version a score, decision
    or total names one the sidecar defines (`rubrics`, or the decision's `rubric`)."""
    listed: list[tuple[str, dict[str, Any]]] = [
        (f"rubrics[{i}].definition", r) for i, r in enumerate(data.get("rubrics") or [])
    ]
    if data["rubric"] is not None:
        listed.insert(0, ("rubric.definition", data["rubric"]))
    for where, rubric in listed:
        try:
            parse_rubric(rubric["definition"], where)
        except RubricError as err:
            raise BadSidecar("", f"not a rubric Studio can use: {err}") from None
    defined = {(r["name"], r["version"]) for _, r in listed}
    review = data["review"]
    named: list[tuple[str, Any]] = [
        ("review.total.rubric", (review.get("total") or {}).get("rubric"))
    ]
    for key in ("history", "score_history"):
        named += [
            (f"review.{key}[{i}].rubric", e.get("rubric"))
            for i, e in enumerate(review.get(key) or [])
        ]
    for where, ref in named:
        if ref is not None and (ref["name"], ref["version"]) not in defined:
            raise BadSidecar(
                where,
                f"names rubric {_preview(ref['name'])} v{ref['version']}, "
                "which the sidecar does not define",
            )


def field_path(parts: Iterable[str | int]) -> str:
    """`review.history[0].decision`; `(the whole file)` for the top level. A name that is
    not a plain word (it may be anything, of any length) is quoted and cut short."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _WORD.fullmatch(part):
            text += f".{part}" if text else part
        else:
            text += f"[{_preview(part)}]"
    return text or "(the whole file)"


def _read_capped(path: Path) -> bytes:
    """The file's bytes, opened without waiting (a FIFO swapped in after the folder was
    looked at) and refused, unread, when it is not a regular file or over the cap."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise BadSidecar("", f"cannot be read ({err.strerror or err})") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BadSidecar("", "not a regular file (not read)")
        if info.st_size > MAX_BYTES:
            raise BadSidecar("", _too_large(info.st_size))
        raw = fh.read(MAX_BYTES + 1)  # it may have grown since
    if len(raw) > MAX_BYTES:
        raise BadSidecar("", _too_large(len(raw)))
    return raw


def _too_large(size: int) -> str:
    return f"{size:,} bytes, over the {MAX_BYTES >> 20} MiB a sidecar may have (not read)"


def _check_depth(text: str) -> None:
    depth = 0
    for match in _SCAN.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise BadSidecar(
                    "", f"nested deeper than {MAX_DEPTH} levels (at character {match.start():,})"
                )
        elif char in "]}":
            depth -= 1


def _check_values(data: dict[str, Any]) -> None:
    """Every value one the library can keep: strings encodable (JSON's `\\ud800` makes a
    lone surrogate SQLite refuses), integers SQLite can hold, numbers finite (NaN,
    Infinity, 1e400)."""
    pending: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, dict):
            for key in reversed(list(value)):
                if not _unicode(key):
                    raise BadSidecar(field_path(where), "a field name that is not valid Unicode")
                pending.append(((*where, key), value[key]))
        elif isinstance(value, list):
            pending.extend(((*where, i), item) for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, str):
            if not _unicode(value):
                raise BadSidecar(field_path(where), "text that is not valid Unicode")
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if not INT_RANGE[0] <= value <= INT_RANGE[1]:
                raise BadSidecar(field_path(where), f"{_preview(value)} is too large a number")
        elif isinstance(value, float) and not math.isfinite(value):
            raise BadSidecar(field_path(where), f"{value} is not a number Studio keeps")


def _unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads((resources_dir() / "schema" / SCHEMA_FILE).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    formats = jsonschema.FormatChecker(formats=())
    formats.checks("date-time", raises=(ValueError, OverflowError))(_date_time)
    return cls(schema, format_checker=formats)


def _date_time(value: object) -> bool:
    """An ISO 8601 time with its offset, as the sidecar writes them; one that converts to a
    timestamp (year 1 in a zone east of UTC does not)."""
    if not isinstance(value, str):
        return True  # the type is another rule's business
    when = dt.datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError("no UTC offset")
    when.timestamp()
    return True


def _explain(error: ValidationError) -> str:
    """What is wrong, short: the offending value is shown in brief (it may be megabytes)."""
    rule, want, value = error.validator, error.validator_value, _preview(error.instance)
    if rule == "type":
        kinds = " or ".join(want) if isinstance(want, list) else str(want)
        return f"{value} is not of type {kinds}"
    if rule == "enum" and isinstance(want, list):
        return f"{value} is not one of " + ", ".join(json.dumps(v) for v in want)
    if rule == "const":
        return f"{value} is not {json.dumps(want)}"
    if rule == "minimum":
        return f"{value} is less than {want}"
    if rule == "maximum":
        return f"{value} is more than {want}"
    if rule == "pattern":
        return f"{value} does not match {want}"
    if rule == "format":
        return f"{value} is not a {want}"
    if rule == "minLength":
        return f"{value} is too short"
    return _short(error.message, 160)


def _preview(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        value = value[:41]
    return _short(json.dumps(value, default=str), 40)  # ASCII: a control or surrogate escaped


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "BadSidecar",
    "field_path",
    "notes_from_sidecar",
    "read_sidecar",
]
