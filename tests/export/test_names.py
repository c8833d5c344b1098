"""Export file names: nothing a prompt, project or template holds escapes the folder."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio.export.names import MAX_BYTES, NameBook, TemplateError, render, safe_name

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
    assert render("{project}_{shot}_{take}_{decision}", fields) == "launch_3_7_approve"
    with pytest.raises(TemplateError, match="unknown field"):
        render("{project}_{colour}", fields)
    with pytest.raises(TemplateError, match="not valid"):
        render("{project", fields)
    with pytest.raises(TemplateError, match="has no fields"):
        render("constant", fields)


@given(st.text(max_size=400))
def test_any_text_makes_a_safe_name(raw: str) -> None:
    assert_safe(safe_name(raw, ".mp4"))
