"""Batch lines are checked field by field: a bad line is refused with a plain message and
never takes the rest of the file down (no OverflowError, IsADirectoryError, TypeError)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.commands.batch_file import line_key, parse_line
from studio.core.errors import StudioError
from studio.providers.profiles import ProfileSet, load_profiles
from tests.helpers import png_bytes


@pytest.fixture(scope="module")
def profiles() -> ProfileSet:
    return load_profiles()


def parse(fields: object, profiles: ProfileSet, base: Path, raw: str | None = None):  # type: ignore[no-untyped-def]
    return parse_line(raw if raw is not None else json.dumps(fields), 7, profiles, base)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"prompt": "a kite", "priority": 1e308}, "'priority' must be a whole number"),
        ({"prompt": "a kite", "priority": [1]}, "'priority' must be a whole number"),
        ({"prompt": "a kite", "render_again": -1}, "'render_again' must be"),
        ({"prompt": "a kite", "render_again": 2.5}, "'render_again' must be a whole number"),
        ({"prompt": "a kite", "project": {"name": "launch"}}, "'project' must be a name"),
        ({"prompt": "a kite", "fit": "crop"}, "'fit' needs an 'image' to fit."),
        ({"prompt": "a kite", "image": "."}, "folder"),
        ({"prompt": "a kite", "image": ["ref.png"]}, "'image' must be a file path"),
        ({"prompt": "a kite", "seconds": "four"}, "'seconds' must be a whole number"),
        ({"prompt": "a kite", "seconds": True}, "'seconds' must be a whole number"),
        ({"prompt": "a kite", "model": ["sim-fast"]}, "'model' must be"),
        ({"prompt": "a kite", "audio": "yes"}, "'audio' must be true or false"),
        ({"prompt": ["a kite"]}, "The prompt is empty"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_nonsense_fields_are_refused_in_plain_words(
    fields: object, message: str, profiles: ProfileSet, tmp_path: Path
) -> None:
    with pytest.raises(StudioError) as refused:
        parse(fields, profiles, tmp_path)
    text = str(refused.value)
    assert message in text
    assert "unhashable" not in text
    assert "Errno" not in text


def test_deep_nesting_is_refused_plainly(profiles: ProfileSet, tmp_path: Path) -> None:
    with pytest.raises(StudioError, match="not valid JSON"):
        parse(None, profiles, tmp_path, raw="[" * 100_000)


def test_seconds_given_as_a_string_is_accepted(profiles: ProfileSet, tmp_path: Path) -> None:
    line = parse({"prompt": "a kite", "model": "sim-fast", "seconds": "4"}, profiles, tmp_path)
    assert line.spec.seconds == 4


def test_an_image_and_its_fit(profiles: ProfileSet, tmp_path: Path) -> None:
    (tmp_path / "ref.png").write_bytes(png_bytes(200, 100))
    line = parse(
        {"prompt": "a kite", "model": "sim-fast", "image": "ref.png", "fit": "pad"},
        profiles,
        tmp_path,
    )
    assert line.spec.reference is not None


def test_identical_lines_have_their_own_identity(profiles: ProfileSet, tmp_path: Path) -> None:
    source = tmp_path / "specs.jsonl"
    line = parse({"prompt": "a kite", "model": "sim-fast"}, profiles, tmp_path)
    again = parse({"prompt": "a kite", "model": "sim-fast", "render_again": 1}, profiles, tmp_path)
    keys = {line_key(source, line, n) for n in range(3)} | {line_key(source, again, 0)}
    assert len(keys) == 4
    assert line_key(source, line, 0) == line_key(source, line, 0)  # stable across runs
    assert line_key(tmp_path / "other.jsonl", line, 0) not in keys
