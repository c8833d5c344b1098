"""Slots, presets, variants and every linter rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.prompts import (
    Linter,
    PresetFileError,
    PromptSlots,
    learned_terms,
    load_presets,
    variants,
)

GOOD = PromptSlots(
    subject="a red fox",
    action="trots through fresh snow",
    setting="a birch forest",
    camera="slow dolly in",
    lighting="golden hour",
    style="documentary",
    constraints="no text overlays, no logos",
)


def rules(slots: PromptSlots, seconds: int | None = 8, **kw: object) -> set[tuple[str, str]]:
    return {(w.rule, w.slot) for w in Linter(**kw).check(slots, seconds)}  # type: ignore[arg-type]


def test_composition_follows_slot_order() -> None:
    assert GOOD.compose() == (
        "a red fox trots through fresh snow. A birch forest. Slow dolly in. Golden hour. "
        "Documentary. No text overlays, no logos."
    )
    assert PromptSlots(subject="x", action="y", constraints="people").compose() == (
        "x y. Avoid: people."
    )
    assert PromptSlots().compose() == ""


def test_a_good_prompt_has_no_warnings() -> None:
    assert Linter().check(GOOD, 8) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"subject": ""}, ("empty", "subject")),
        ({"action": "  "}, ("empty", "action")),
        ({"style": "word " * 250}, ("too-long", "prompt")),
        ({"style": "slow motion", "camera": "fast cuts between angles"}, ("conflict", "camera")),
        (
            {"lighting": "bright midday sun", "setting": "a street at night"},
            ("conflict", "setting"),
        ),
        ({"setting": "in a kitchen and in a garden"}, ("conflict", "setting")),
        ({"camera": "tripod, static", "style": "drone orbit"}, ("conflict", "style")),
        ({"style": "something cool and awesome"}, ("vague", "style")),
        ({"action": "runs to the door, then cut to a beach"}, ("scenes", "action")),
        ({"setting": "a shop with a sign that reads OPEN"}, ("text", "setting")),
        ({"subject": 'a mug printed with "Best Dad"'}, ("text", "subject")),
        ({"subject": "Taylor Swift"}, ("blocked", "subject")),
        ({"subject": "a kid in a Spider-Man costume"}, ("blocked", "subject")),
        ({"action": "jumps, spins, lands and waves"}, ("duration", "action")),
    ],
)
def test_each_rule_fires_on_its_slot(changes: dict[str, str], expected: tuple[str, str]) -> None:
    slots = PromptSlots(**{**GOOD.as_dict(), **changes})
    assert expected in rules(slots, seconds=4)


def test_constraints_may_mention_text_and_scenes() -> None:
    slots = GOOD.with_slot("constraints", "no captions, no title card, no cut to black")
    assert rules(slots) == set()


@pytest.mark.parametrize(
    ("constraints", "expected"),
    [
        ("no logos, Nike shoes in view", ("blocked", "constraints")),
        ("keep the Coca-Cola truck in frame", ("blocked", "constraints")),
        ("hold the shot, then cut to the beach", ("scenes", "constraints")),
        ("a sign that reads SALE in the back", ("text", "constraints")),
    ],
)
def test_constraints_are_checked_outside_their_negations(
    constraints: str, expected: tuple[str, str]
) -> None:
    """A listed brand or a scene break in Constraints used to raise nothing (the slot was
    skipped wholesale); only its negated phrases are left out now."""
    assert expected in rules(GOOD.with_slot("constraints", constraints))


def test_negated_phrases_in_constraints_raise_nothing() -> None:
    slots = GOOD.with_slot(
        "constraints", "no logos, no text overlays; without captions. Avoid Nike or Disney logos"
    )
    assert rules(slots) == set()


def test_learned_blocked_terms() -> None:
    learned = learned_terms(["A portrait of Zorblax Quinn smiling", "a dog"])
    assert "Zorblax Quinn" in learned
    slots = GOOD.with_slot("subject", "zorblax quinn waving")
    warnings = Linter(learned_blocked=learned).check(slots, 8)
    assert [w.message for w in warnings if w.rule == "blocked"] == [
        "“zorblax quinn” was in a prompt of yours that moderation refused: "
        "likely a real person, brand or character."
    ]


def test_vague_words_are_whole_words_only() -> None:
    assert rules(GOOD.with_slot("subject", "a coolant pipe")) == set()


def test_duration_rule_scales_with_seconds() -> None:
    slots = GOOD.with_slot("action", "jumps, spins and lands")
    assert ("duration", "action") in rules(slots, seconds=4)
    assert ("duration", "action") not in rules(slots, seconds=8)


def test_shipped_presets() -> None:
    groups = load_presets()
    assert [p.id for p in groups["camera"]] == [
        "static",
        "slow-pan",
        "dolly-in",
        "tracking",
        "handheld",
        "drone",
    ]
    assert [p.id for p in groups["lighting"]] == [
        "golden-hour",
        "studio-softbox",
        "neon-night",
        "overcast",
    ]
    assert [p.id for p in groups["style"]] == [
        "cinematic",
        "documentary",
        "product-showcase",
        "2d-animation",
    ]
    starters = {p.id: p for p in groups["starter"]}
    assert set(starters) == {"product-demo", "social-ad", "explainer", "background-loop"}
    assert len(starters["product-demo"].slots) >= 5
    for preset in starters.values():  # every starter is a clean prompt at 8 s
        slots = PromptSlots.from_mapping(preset.slots)
        assert Linter().check(slots, 8) == [], preset.id


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("group = 'camera'\n", "needs at least one"),
        ("[[preset]]\nid='a'\nname='A'\nslots.camera='x'\n", "field 'group'"),
        ("group='c'\n[[preset]]\nname='A'\nslots.camera='x'\n", "preset 1: field 'id'"),
        ("group='c'\n[[preset]]\nid='a'\nname='A'\nslots.lens='x'\n", "field 'slots.lens'"),
        ("group='c'\n[[preset]\n", "not valid TOML"),
    ],
)
def test_bad_preset_files_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad.toml").write_text(text)
    with pytest.raises(PresetFileError, match=message) as info:
        load_presets(tmp_path)
    assert "bad.toml" in str(info.value)


def test_variants_differ_in_one_slot_only() -> None:
    batch = variants(GOOD, "lighting", ["golden hour", "neon night", "overcast"])
    assert [v.lighting for v in batch] == ["golden hour", "neon night", "overcast"]
    for v in batch:
        assert {k: x for k, x in v.as_dict().items() if k != "lighting"} == {
            k: x for k, x in GOOD.as_dict().items() if k != "lighting"
        }
    with pytest.raises(ValueError, match="at least two"):
        variants(GOOD, "lighting", ["only one", "  "])
    with pytest.raises(ValueError, match="must differ"):
        variants(GOOD, "lighting", ["a", "a"])
    with pytest.raises(ValueError, match="unknown slot"):
        variants(GOOD, "lens", ["a", "b"])
