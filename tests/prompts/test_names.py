"""Names: what a refused prompt teaches (names only, never "Warm"), and a name found wherever
it appears (issue 20)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio.core.resources import resources_dir
from studio.prompts import Linter, PromptSlots, Terms, learned_terms, load_presets
from studio.prompts.names import name_key, ordinary_words

SHIPPED = Terms.load().likely_blocked


@pytest.mark.parametrize(
    ("prompt", "names"),
    [
        ("Taylor Swift on stage", ["Taylor Swift"]),
        ("Warm cinematic shot of Taylor Swift singing", ["Taylor Swift"]),
        ("Taylor Swift sings. Warm. Cinematic.", ["Taylor Swift"]),  # the case, composed
        ("Mickey Mouse waves", ["Mickey Mouse"]),
        ("Zorblax waves at the camera", ["Zorblax"]),  # a name that starts the prompt
        ("A portrait of Zorblax Quinn smiling", ["Zorblax Quinn"]),
        ("Watch Zorblax Quinn dance", ["Zorblax Quinn"]),  # "Watch" is the sentence's
        ("shot on a Sony camera", ["Sony"]),
        ("a Samsung-style phone on a desk", ["Samsung"]),
        ("Obama's dog runs", ["Obama"]),
        ("Spiderman swings; Beyoncé’s song plays", ["Spiderman", "Beyoncé"]),
        ("the iPhone beside an eBay parcel", ["iPhone", "eBay"]),
        ("Taylor Swift and Zorblax meet Taylor Swift", ["Taylor Swift", "Zorblax"]),  # once each
        ("Camera: Slow push in", []),
        ("Lighting: Golden hour. Avoid: People.", []),
        ("Shimmering lights over a lake", []),
        ("a Japanese garden in Paris on a Monday", []),  # capitalised, yet ordinary words
        ('a mug printed with "Best Dad"', []),  # an opening quote explains the capital
        ("Slow Dolly In. Golden Hour.", []),  # Title Case typed into slots
        ("I'm filming in HDR from a POV angle", []),  # film words (terms.toml not_names)
        ("X-ray of a hand", []),
        ("a red fox", []),
    ],
)
def test_a_refusal_teaches_names_only(prompt: str, names: list[str]) -> None:
    assert learned_terms([prompt]) == names


def test_a_composed_prompt_of_ordinary_slots_teaches_nothing() -> None:
    """compose() capitalises each further slot and adds "Avoid:": none of it is a name."""
    slots = PromptSlots(
        subject="A red fox",
        action="Trots through fresh snow",
        setting="misty moors at dawn",
        camera="orbiting drone shot",
        lighting="warm backlight",
        style="cinematic",
        constraints="people",
    )
    prompt = slots.compose()
    assert prompt.startswith("A red fox Trots")
    assert "Avoid: people." in prompt
    assert learned_terms(slots.as_dict().values()) == []  # as the app reads a refused take
    assert learned_terms([prompt]) == []
    with_name = slots.with_slot("subject", "Taylor Swift")
    assert learned_terms([with_name.compose()]) == ["Taylor Swift"]


def _preset_values() -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for group in load_presets().values():
        for preset in group:
            for slot, text in preset.slots.items():
                values.setdefault(slot, []).append(text)
    return values


PRESET_VALUES = _preset_values()


@st.composite
def preset_prompts(draw: st.DrawFn) -> tuple[PromptSlots, list[str]]:
    """Slots filled from the shipped presets, each maybe capitalised as a person types it."""
    chosen: dict[str, str] = {}
    for slot, options in PRESET_VALUES.items():
        if draw(st.booleans()):
            text = draw(st.sampled_from(options))
            chosen[slot] = text[0].upper() + text[1:] if draw(st.booleans()) else text
    slots = PromptSlots.from_mapping(chosen)
    return slots, [slots.compose()]


@settings(max_examples=300, deadline=None)
@given(preset_prompts())
def test_ordinary_composed_prompts_from_the_presets_teach_nothing(
    case: tuple[PromptSlots, list[str]],
) -> None:
    slots, texts = case
    assert learned_terms(texts) == []
    assert learned_terms(slots.as_dict().values()) == []


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_name_is_learned_wherever_it_stands(name: str) -> None:
    """No shipped name hides behind the ordinary words ("apple", "mario" are on that list):
    at the start of a prompt, where ordinary words are not names, and in the middle."""
    written = "-".join(w.capitalize() for w in name.split("-"))
    written = " ".join(w[0].upper() + w[1:] for w in written.split())
    for prompt in (f"{written} waves at the camera", f"A wide shot of {written} waving"):
        assert [name_key(n) for n in learned_terms([prompt])] == [name_key(name)], prompt


# ---- one warning per name ----------------------------------------------------------------


GOOD = PromptSlots(subject="a red fox", action="trots through snow", setting="a birch forest")


def blocked(subject: str, linter: Linter | None = None, **kw: object) -> list[str]:
    warnings = (linter or Linter()).check(GOOD.with_slot("subject", subject), 8, **kw)  # type: ignore[arg-type]
    return [w.message for w in warnings if w.rule == "blocked"]


def test_a_learned_name_on_the_shipped_list_warns_once_and_says_why() -> None:
    linter = Linter(learned_blocked=learned_terms(["Taylor Swift on stage"]))
    assert blocked("Taylor Swift on stage", linter) == [
        "“Taylor Swift” is likely blocked by moderation (real people, brands, characters), "
        "and a prompt of yours with it was refused before."
    ]
    (warning,) = linter.check(GOOD.with_slot("subject", "Taylor Swift"), 8)
    assert not warning.learned  # a shipped name: "not a name" is not offered for it


def test_a_learned_name_says_it_was_refused_and_can_be_dismissed() -> None:
    linter = Linter(learned_blocked=["Zorblax Quinn"])
    (warning,) = linter.check(GOOD.with_slot("subject", "zorblax quinn's dog"), 8)
    assert warning.message == (
        "“zorblax quinn” was in a prompt of yours that moderation refused: "
        "likely a real person, brand or character."
    )
    assert (warning.term, warning.learned) == ("zorblax quinn", True)
    assert blocked("zorblax quinn's dog", linter, not_names={"zorblax quinn"}) == []
    # a dismissed learned name that is also shipped is still flagged, as shipped
    linter.learn(["Sony"])
    assert len(blocked("a Sony camera", linter, not_names={"sony"})) == 1


def test_learning_at_once_returns_only_new_names() -> None:
    linter = Linter()
    assert blocked("Zorblax waves", linter) == []
    assert linter.learn(["Zorblax", "zorblax", "ZORBLAX"]) == ["Zorblax"]
    assert linter.learn(["Zorblax"]) == []
    assert len(blocked("Zorblax waves", linter)) == 1


# ---- a name wherever it appears -------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "shown"),
    [
        ("a Sony camera on a desk", "Sony"),  # was not on the list at all
        ("Sony's new camera", "Sony"),
        ("Sony’s new camera", "Sony"),  # a curly apostrophe
        ("a Sony-style camera", "Sony"),  # inside a hyphenated word
        ("a camera, pro-Sony", "Sony"),
        ("SONY headphones", "SONY"),
        ("two red Ferraris racing", "Ferrari"),  # a plural
        ("Beyoncé dancing", "Beyoncé"),  # accents
        ("fries from McDonalds", "McDonald"),  # written without the apostrophe
        ("a Coca Cola truck", "Coca Cola"),  # words apart
        ("a cocacola truck", "cocacola"),
        ("a kid dressed as Spiderman", "Spiderman"),  # one spelling of two
    ],
)
def test_brands_are_flagged_wherever_they_appear(subject: str, shown: str) -> None:
    assert blocked(subject) == [
        f"“{shown}” is likely blocked by moderation (real people, brands, characters)."
    ]


@pytest.mark.parametrize(
    "subject",
    ["apples on a table", "a sonyx camera", "a person named Sonya", "a nikel coin"],
)
def test_a_name_is_a_whole_word(subject: str) -> None:
    assert blocked(subject) == []


def test_the_ordinary_words_file() -> None:
    words = ordinary_words()
    assert len(words) > 40_000
    assert all(w.isalpha() and w.islower() for w in words)
    assert {"warm", "cinematic", "slow", "golden", "shimmering", "trots"} <= words
    assert not {"sony", "obama", "netflix", "zorblax"} & words  # names, not ordinary words
    readme = (resources_dir() / "lint" / "README.md").read_text(encoding="utf-8")
    for said in ("CC BY-SA 4.0", "wordfreq", "SCOWL"):
        assert said in readme
