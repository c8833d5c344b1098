"""Export file names: nothing a prompt, project or template holds escapes the folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio.core.files import part_path
from studio.export.names import (
    MAX_BYTES,
    MAX_FIELD_BYTES,
    NameBook,
    TemplateError,
    render,
    safe_name,
    sidecar_name,
)

RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{n}" for n in range(10)),
    *(f"LPT{n}" for n in range(10)),
}


def assert_safe(name: str) -> None:
    assert "/" not in name
    assert "\\" not in name
    assert "\x00" not in name
    assert ".." not in name
    assert not name.startswith((".", " "))
    assert len(name.encode()) <= MAX_BYTES
    assert name.split(".")[0].upper() not in RESERVED
    name.encode().decode()  # whole characters only


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("launch/1/2_approve", "launch_1_2_approve.mp4"),
        ("..\\..\\windows\\system32", "_._windows_system32.mp4"),
        ("/etc/passwd", "_etc_passwd.mp4"),
        ("a\x00b", "a_b.mp4"),
        ("CON", "_CON.mp4"),
        ("com1.final", "_com1.final.mp4"),
        ("lpt9", "_lpt9.mp4"),
        ("café · 夜景", "café · 夜景.mp4"),
        ("", "take.mp4"),
        ("...", "take.mp4"),
    ],
)
def test_hostile_and_odd_names(raw: str, expected: str) -> None:
    name = safe_name(raw, ".mp4")
    assert_safe(name)
    assert name == expected


def test_a_300_byte_name_is_cut_on_a_character_boundary() -> None:
    name = safe_name("夜" * 100, ".mp4")  # 300 bytes of UTF-8 before the suffix
    assert len(name.encode()) <= MAX_BYTES
    assert name.endswith(".mp4")
    assert set(name.removesuffix(".mp4")) == {"夜"}


def test_two_takes_mapping_to_one_name_get_suffixes() -> None:
    book = NameBook()
    names = [book.claim("launch_7_approve", ".mp4") for _ in range(3)]
    assert names == ["launch_7_approve.mp4", "launch_7_approve (2).mp4", "launch_7_approve (3).mp4"]
    assert book.claim("LAUNCH_7_APPROVE", ".mp4") == "LAUNCH_7_APPROVE (4).mp4"  # case-blind


def test_a_long_name_keeps_its_suffix_within_the_limit() -> None:
    book = NameBook()
    first, second = book.claim("x" * 400, ".mp4"), book.claim("x" * 400, ".mp4")
    assert first != second
    assert second.endswith(" (2).mp4")
    assert len(second.encode()) <= MAX_BYTES


def test_templates_name_their_fields() -> None:
    fields = {"project": "launch", "shot": 3, "take": 7, "decision": "approve"}
    assert render("{project}_{shot}_{take}_{decision}", fields) == "launch_000003_000007_approve"
    with pytest.raises(TemplateError, match="unknown field"):
        render("{project}_{colour}", fields)
    with pytest.raises(TemplateError, match="not valid"):
        render("{project", fields)
    with pytest.raises(TemplateError, match="has no fields"):
        render("constant", fields)


@given(st.text(max_size=400))
def test_any_text_makes_a_safe_name(raw: str) -> None:
    assert_safe(safe_name(raw, ".mp4"))


def every_form(clip: str) -> list[str]:
    """A clip's name, its sidecar's, and the temporary names either is written under."""
    side = sidecar_name(clip)
    return [clip, side, *(part_path(Path(n)).name for n in (clip, side))]


@given(st.text(max_size=400), st.integers(min_value=0, max_value=12))
def test_every_form_of_a_name_fits_255_bytes_whole_characters_unique(
    raw: str, clashes: int
) -> None:
    book = NameBook()
    names = [book.claim(raw, ".mp4") for _ in range(clashes + 1)]
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert_safe(name)
        for form in every_form(name):
            assert len(form.encode()) <= MAX_BYTES, form
            form.encode().decode()
        stem = name.removesuffix(".mp4")
        assert part_path(Path(name)).name.startswith(f".{stem}.mp4.")  # never cut


@pytest.mark.parametrize("raw", ["夜景" * 50, "🎬🦊" * 50, "é" * 300, "👩‍👩‍👧" * 40])
def test_wide_characters_are_cut_between_characters(raw: str) -> None:
    book = NameBook()
    first, second = book.claim(raw, ".mp4"), book.claim(raw, ".mp4")
    assert second.endswith(" (2).mp4")
    for name in (first, second):
        assert raw.startswith(name.removesuffix(".mp4").removesuffix(" (2)"))
        assert all(len(f.encode()) <= MAX_BYTES for f in every_form(name))


def test_a_cut_that_leaves_a_reserved_name_is_made_safe() -> None:
    name = safe_name("CON" + " " * 300 + "y", ".mp4")  # cut to "CON" and spaces
    assert name == "_CON.mp4"


def test_each_field_is_cut_so_the_others_stay_in_the_name() -> None:
    name = render("{project}_{take}_{decision}", {"project": "夜" * 100, "take": 7,
                                                  "decision": "approve"})  # fmt: skip
    assert name == "夜" * (MAX_FIELD_BYTES // 3) + "_000007_approve"


def test_numbers_are_padded_so_names_sort_as_text_in_numeric_order() -> None:
    """Exported as 1, 11, 2 before: a file browser sorting by name put take 11 before 2."""
    takes = [11, 2, 1, 100_000, 30]
    names = [render("{project}_{take}_v{version}", {"project": "p", "take": t, "version": 3})
             for t in takes]  # fmt: skip
    assert sorted(names) == [names[i] for i in (2, 1, 0, 4, 3)]
    assert names[1] == "p_000002_v03"
    # A fixed width, not the widest of this export: take 2 keeps its name exported alone.
    assert render("{take}", {"take": 2}) == "000002"
