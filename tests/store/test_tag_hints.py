"""What the linter's hints from defect tags are read from, in a real library: a template's
reviewed takes (every version of it), the takes whose prompt holds a preset's text, the
library's tag counts; a hint dismissed for a template through the library's operations
(one change), for every version of it, after reopening too; and the Library's search for
the takes behind a hint, a tag with a space in it included."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.library.ops import HINTS, DecisionEntry, LibraryChange, ops_for
from studio.prompts.tag_hints import template_hints
from studio.store import Store
from studio.store.search import facet_term, search_hits
from studio.store.tag_hints import search_for
from tests.store.tagged import add_take

WHIP = {"subject": "a sprinter", "action": "bursts off the blocks", "camera": "fast whip pans"}
DOLLY = {**WHIP, "camera": "slow dolly in"}
HANDHELD = "handheld camera with gentle natural sway"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "studio.db")


def test_a_templates_reviewed_takes_are_read_for_every_version_of_it(store: Store) -> None:
    ops = ops_for(store)
    first = ops.save_template("spring", "sprint", "social", WHIP, note="")
    second = ops.save_template("spring", "sprint", "social", DOLLY, note="v2")
    other = ops.save_template("spring", "sprint", "demo", WHIP, note="")
    tagged = add_take(store, WHIP, template_id=first.id)
    decided = add_take(store, DOLLY, template_id=second.id)
    add_take(store, WHIP, template_id=first.id)  # never looked at: says nothing
    add_take(store, WHIP, template_id=other.id)  # another template
    ops.set_tags({tagged: ["jitter", "limb error"]})
    ops.decide([DecisionEntry(decided, "approve")], reviewer="ana", rubric_id=None)

    assert store.tag_hints.versions(second.id) == [first.id, second.id]
    takes = store.tag_hints.of_templates(store.tag_hints.versions(first.id))
    assert [(t.job_id, t.tags) for t in takes] == [
        (tagged, frozenset({"jitter", "limb error"})),
        (decided, frozenset()),
    ]
    assert takes[0].slots == WHIP
    assert store.tag_hints.tag_counts() == (2, {"jitter": 1, "limb error": 1})


def test_takes_whose_prompt_holds_a_presets_text_are_found_by_the_index(store: Store) -> None:
    ops = ops_for(store)
    held = add_take(store, {**WHIP, "camera": HANDHELD + ", low"}, template_id=None)
    elsewhere = add_take(store, {**WHIP, "style": HANDHELD}, template_id=None)
    add_take(store, {**WHIP, "camera": HANDHELD}, template_id=None)  # not reviewed
    add_take(store, WHIP, template_id=None)
    ops.set_tags({held: ["jitter"], elsewhere: ["jitter"]})
    found = store.tag_hints.with_texts([(HANDHELD, "camera")])
    assert [t.job_id for t in found] == [held, elsewhere]  # which slot: the counting checks
    assert [t.slots for t in found] == [  # the slot asked for, read
        {"camera": HANDHELD + ", low"},
        {"camera": "fast whip pans"},
    ]
    assert found[0].tags == frozenset({"jitter"})
    both = store.tag_hints.with_texts([(HANDHELD, "camera"), (HANDHELD, "style")])
    assert [t.slots for t in both] == [
        {"camera": HANDHELD + ", low"},
        {"camera": "fast whip pans", "style": HANDHELD},
    ]
    assert store.tag_hints.with_texts([("“ ”", "camera")]) == []  # no words: none, no error


def test_a_dismissed_hint_holds_for_every_version_and_survives_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path / "studio.db")
    ops = ops_for(store)
    first = ops.save_template("spring", "sprint", "social", WHIP, note="")
    other = ops.save_template("spring", "sprint", "demo", WHIP, note="")
    told: list[LibraryChange] = []
    ops.listen(told.append)
    ops.dismiss_hint(first.id, "jitter", "camera", "fast whip pans")
    ops.dismiss_hint(first.id, "jitter", "camera", "fast whip pans")  # twice: kept once
    assert told == [LibraryChange(frozenset({HINTS}))] * 2
    second = ops.save_template("spring", "sprint", "social", DOLLY, note="v2")
    key = ("jitter", "camera", "fast whip pans")
    assert store.tag_hints.dismissed(second.id) == {key}
    assert store.tag_hints.dismissed(other.id) == frozenset()
    told.clear()
    with pytest.raises(ValueError, match="names a tag and a slot"):
        ops.dismiss_hint(first.id, " ", "camera", "x")
    with pytest.raises(ValueError, match="names a tag and a slot"):
        ops.dismiss_hint(first.id, "jitter", "camera", "x" * 5000)
    assert told == []  # nothing told, nothing kept, for what was refused
    assert store.tag_hints.dismissed(first.id) == {key}
    store.close()

    reopened = Store(tmp_path / "studio.db")
    assert reopened.tag_hints.dismissed(first.id) == {key}
    reopened.close()


def test_the_search_behind_a_hint_finds_its_tagged_takes(store: Store) -> None:
    ops = ops_for(store)
    template = ops.save_template("spring", "sprint", "social", WHIP, note="")
    whips = [add_take(store, WHIP, template_id=template.id) for _ in range(4)]
    dollies = [add_take(store, DOLLY, template_id=template.id) for _ in range(4)]
    elsewhere = add_take(store, WHIP, template_id=None)
    ops.set_tags({i: ["limb error"] for i in [*whips[:3], dollies[0], elsewhere]})
    ops.set_tags({whips[3]: ["jitter"]})
    approved = [DecisionEntry(i, "approve") for i in dollies[1:]]  # looked at, nothing wrong
    ops.decide(approved, reviewer="ana", rubric_id=None)

    (hint,) = template_hints(store.tag_hints.of_templates([template.id]))
    assert (hint.tag, hint.slot, hint.tagged, hint.takes) == (
        "limb error",
        "camera",
        tuple(whips[:3]),
        4,
    )
    text = search_for(hint.tag, hint.phrase, [template.id])
    assert text == f'template:{template.id} tag:"limb error" "fast whip pans"'
    assert sorted(search_hits(store.db, text)) == whips[:3]
    # the whole library's takes with the tag, as a preset's hint searches
    assert sorted(search_hits(store.db, search_for("limb error", "whip pans"))) == [
        *whips[:3],
        elsewhere,
    ]
    # the Library's tag facet names such a tag so its search finds it
    assert facet_term("tag", "limb error") == 'tag:"limb error"'
    assert sorted(search_hits(store.db, 'tag:"limb error"')) == sorted(
        [*whips[:3], dollies[0], elsewhere]
    )
