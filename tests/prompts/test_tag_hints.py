"""Defect tags teach the linter, counted on data: which slot value (or preset) a tag most
often comes with, with the counts behind it; a minimum support, so one tagged take is no
hint; a value every take shares blames no slot; a preset's hint holds only while its slot
holds the preset; and the linter warns of each on its slot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from studio.prompts import Linter, PromptSlots, load_presets
from studio.prompts.tag_hints import (
    MIN_TAGGED,
    PRESET,
    TEMPLATE,
    WHOLE,
    TagHint,
    applies,
    merged,
    preset_hints,
    presets_used,
    template_hints,
)

BASE = {"subject": "a sprinter on a track", "action": "bursts off the blocks"}
WHIP, DOLLY = "fast whip pans", "slow dolly in"


@dataclass(frozen=True)
class Take:
    job_id: int
    slots: Mapping[str, str]
    tags: frozenset[str]


def take(job_id: int, camera: str, *tags: str, **slots: str) -> Take:
    return Take(job_id, {**BASE, "camera": camera, **slots}, frozenset(tags))


def variant_batch(jittery_whips: int = 5, jittery_dollies: int = 1) -> list[Take]:
    """Sixteen reviewed takes of one template, a variant batch on the camera: eight whip
    pans, eight dolly moves, some tagged jitter."""
    whips = [take(i, WHIP, *(["jitter"] if i < jittery_whips else [])) for i in range(8)]
    dollies = [take(8 + i, DOLLY, *(["jitter"] if i < jittery_dollies else [])) for i in range(8)]
    return whips + dollies


def test_a_tag_goes_to_the_slot_value_it_most_often_comes_with_with_its_counts() -> None:
    (hint,) = template_hints(variant_batch())
    assert (hint.tag, hint.slot, hint.scope) == ("jitter", "camera", TEMPLATE)
    assert hint.value == WHIP
    assert hint.tagged == (0, 1, 2, 3, 4)
    assert hint.takes == 8
    assert hint.message == (
        "jitter on 5 of 8 reviewed takes of this template with “fast whip pans”."
    )
    assert hint.phrase == WHIP  # what the Library finds the takes by


def test_one_tagged_take_is_no_hint() -> None:
    assert template_hints([take(1, WHIP, "jitter")]) == []
    few = variant_batch(jittery_whips=MIN_TAGGED - 1, jittery_dollies=0)
    assert template_hints(few) == []  # two of eight: chance
    # the same share with support is one
    assert template_hints(variant_batch(jittery_whips=MIN_TAGGED, jittery_dollies=0))


def test_a_value_every_take_shares_blames_no_slot() -> None:
    """The subject is on every take: jitter spread evenly over the cameras is a hint about
    the template as a whole, never about its subject."""
    (hint,) = template_hints(variant_batch(jittery_whips=3, jittery_dollies=3))
    assert (hint.slot, hint.value, hint.tagged, hint.takes) == (WHOLE, "", (0, 1, 2, 8, 9, 10), 16)
    assert hint.message == "jitter on 6 of 16 reviewed takes of this template."
    assert hint.phrase == ""


def test_values_are_compared_as_written_loosely_and_each_tag_gets_its_own_slot() -> None:
    takes = [
        take(1, "Fast whip pans.", "jitter"),
        take(2, "fast  whip pans", "jitter"),
        take(3, "FAST WHIP PANS", "jitter", lighting="neon"),
        take(4, DOLLY),
        take(5, DOLLY, "logo", lighting="neon night"),
        take(6, DOLLY, "logo", lighting="neon night"),
        take(7, DOLLY, "logo", lighting="neon night"),
        take(8, DOLLY),
    ]
    jitter, logo = template_hints(takes)
    assert (jitter.tag, jitter.slot, jitter.tagged, jitter.takes) == (
        "jitter",
        "camera",
        (1, 2, 3),
        3,
    )
    assert jitter.shown == "Fast whip pans."  # as first written
    assert (logo.tag, logo.slot, logo.value, logo.tagged) == (
        "logo",
        "lighting",
        "neon night",
        (5, 6, 7),
    )


def test_a_preset_hint_picks_the_preset_used_on_whose_takes_the_tag_is_most_frequent() -> None:
    presets = load_presets()
    handheld = next(p for p in presets["camera"] if p.id == "handheld")
    golden = next(p for p in presets["lighting"] if p.id == "golden-hour")
    in_use = PromptSlots(
        subject="a fox", action="runs", camera=handheld.slots["camera"] + ", low angle",
        lighting=golden.slots["lighting"],
    )  # fmt: skip
    used = presets_used(in_use.as_dict(), presets)
    assert [(p.id, slot) for p, slot in used] == [
        ("handheld", "camera"),
        ("golden-hour", "lighting"),
    ]

    def with_(job_id: int, camera: str, lighting: str, *tags: str) -> Take:
        return Take(job_id, {"camera": camera, "lighting": lighting}, frozenset(tags))

    hand, gold = handheld.slots["camera"], golden.slots["lighting"]
    takes = [
        with_(1, hand, "", "jitter"),
        with_(2, hand.upper(), "", "jitter"),
        with_(3, "slow " + hand, gold, "jitter", "flare"),
        with_(4, hand, gold, "flare"),
        with_(5, "static", gold, "flare"),
        with_(6, "static", gold, "jitter"),
        with_(7, "static", "", "flare"),  # neither preset: not counted for either
    ]
    counts = {"jitter": 8, "flare": 32}
    (jitter,) = preset_hints(takes, used, reviewed=40, tag_counts=counts)
    # flare: on 3 of 4 golden-hour takes, but on four fifths of the library anyway; on half
    # of it, golden hour is where it comes
    (flare,) = [h for h in preset_hints(takes, used, reviewed=40, tag_counts={"flare": 20})
                if h.tag == "flare"]  # fmt: skip
    assert (flare.slot, flare.value, flare.tagged) == ("lighting", "preset:golden-hour", (3, 4, 5))
    assert (jitter.tag, jitter.slot, jitter.scope, jitter.value) == (
        "jitter", "camera", PRESET, "preset:handheld"
    )  # fmt: skip
    assert (jitter.tagged, jitter.takes) == ((1, 2, 3), 4)
    assert jitter.message == "jitter on 3 of 4 reviewed takes with the camera preset “Handheld”."
    assert jitter.phrase == hand

    # a preset's hint holds while its slot holds the preset, a template's while in use
    assert applies(jitter, in_use.as_dict())
    assert not applies(jitter, {**in_use.as_dict(), "camera": "static tripod"})
    (template,) = template_hints(variant_batch())
    assert applies(template, {"camera": "anything"})


def test_a_tag_the_template_hints_on_a_slot_is_said_once() -> None:
    def hint(scope: str, slot: str) -> TagHint:
        return TagHint("jitter", slot, "v", "v", (1, 2, 3), 4, scope)

    template = [hint(TEMPLATE, "camera")]
    assert merged(template, [hint(PRESET, "camera"), hint(PRESET, "lighting")]) == [
        template[0],
        hint(PRESET, "lighting"),
    ]


def test_the_linter_warns_of_each_hint_that_applies_on_its_slot() -> None:
    (hint,) = template_hints(variant_batch())
    slots = PromptSlots(subject="a sprinter", action="runs", camera=DOLLY)
    warnings = [w for w in Linter().check(slots, hints=[hint]) if w.rule == "tags"]
    assert [(w.slot, w.message, w.hint) for w in warnings] == [("camera", hint.message, hint)]
    assert [w for w in Linter().check(slots) if w.rule == "tags"] == []
