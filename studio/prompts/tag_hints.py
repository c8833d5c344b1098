"""Defect tags teach the linter: which slot value — or preset — a defect tag most often
comes with, counted over the takes reviewers looked at, so the next prompt from that
template or with that preset hears of it ("jitter on 5 of 8 reviewed takes of this template
with “fast whip pans”"), with the counts and the takes behind it.

Two kinds of hint:
- A template's: over the reviewed takes of every version of the template, each tag goes to
  the slot value on whose takes it is most frequent — and more frequent than on the
  template's takes as a whole; a value every take shares blames no slot, so a tag spread
  evenly is a hint about the template as a whole (slot `WHOLE`).
- A preset's: over the library's reviewed takes whose slot holds a preset's text (any
  template, or none), each tag goes to the preset in use on whose takes it is most
  frequent — and more frequent than on the library's reviewed takes as a whole.

A tag is a hint only with support: on at least `MIN_TAGGED` takes with the value and on at
least `MIN_SHARE` of them, so one tagged take never makes one. Data in, hints out: the store
reads the takes (studio.store.tag_hints), the linter turns the hints into warnings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from studio.prompts.presets import Preset
from studio.prompts.slots import LABELS, SLOTS

MIN_TAGGED = 3  # a tag on fewer of the takes with a value is chance, not a hint
MIN_SHARE = 0.25  # nor is one on fewer than a quarter of them
TEMPLATE, PRESET = "template", "preset"
WHOLE = "prompt"  # the slot of a hint about a template's takes as a whole
SHOWN = 60  # characters of a slot's text a hint's message quotes


class Tagged(Protocol):
    """A reviewed take: its slots and its defect tags (none: looked at, nothing tagged)."""

    @property
    def job_id(self) -> int: ...

    @property
    def slots(self) -> Mapping[str, str]: ...

    @property
    def tags(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class TagHint:
    tag: str
    slot: str  # one of SLOTS, or WHOLE
    value: str  # what the tag came with: a slot's text folded, "preset:<id>", "" for WHOLE
    shown: str  # the value as the message names it: the text as written, a preset's name
    tagged: tuple[int, ...]  # the takes with the value that carry the tag, by number
    takes: int  # the reviewed takes with the value
    scope: str  # TEMPLATE or PRESET
    text: str = ""  # a preset's text: its hint holds while its slot holds the text

    @property
    def key(self) -> tuple[str, str, str]:
        """What a dismissal names (tag, slot, value): the same hint with other counts."""
        return (self.tag, self.slot, self.value)

    @property
    def phrase(self) -> str:
        """The words the tagged takes' prompts hold (the Library finds them by these)."""
        return self.text if self.scope == PRESET else self.shown

    @property
    def message(self) -> str:
        counts = f"{self.tag} on {len(self.tagged)} of {self.takes} reviewed takes"
        if self.scope == PRESET:
            return f"{counts} with the {LABELS[self.slot].lower()} preset “{self.shown}”."
        if self.slot == WHOLE:
            return f"{counts} of this template."
        return f"{counts} of this template with “{_short(self.shown)}”."


def fold(text: str) -> str:
    """A slot's text as values are compared: spaces as one, no final full stop, any case."""
    return " ".join(text.split()).rstrip(".").casefold()


def uses(slot_text: str, preset_text: str) -> bool:
    """The slot holds the preset's text (perhaps with words of its own around it)."""
    wanted = fold(preset_text)
    return bool(wanted) and wanted in fold(slot_text)


def applies(hint: TagHint, slots: Mapping[str, str]) -> bool:
    """A template's hint holds while the template is in use; a preset's while its slot
    holds the preset's text."""
    return hint.scope == TEMPLATE or uses(slots.get(hint.slot, ""), hint.text)


# ---- a template's takes -------------------------------------------------------------------


@dataclass
class _Group:
    """The takes that share a value, and which of them carry each tag."""

    shown: str
    takes: int = 0
    tagged: dict[str, list[int]] = field(default_factory=dict)

    def add(self, take: Tagged) -> None:
        self.takes += 1
        for tag in take.tags:
            self.tagged.setdefault(tag, []).append(take.job_id)


def template_hints(takes: Iterable[Tagged]) -> list[TagHint]:
    """One hint per tag with support among a template's reviewed takes, in tag order."""
    whole = _Group("")
    values: dict[tuple[str, str], _Group] = {}
    for take in takes:
        whole.add(take)
        for slot in SLOTS:
            written = take.slots.get(slot, "")
            if fold(written):
                values.setdefault((slot, fold(written)), _Group(" ".join(written.split()))).add(
                    take
                )
    hints = []
    for tag in sorted(whole.tagged):
        overall = len(whole.tagged[tag]) / whole.takes
        best: tuple[tuple[float, int, int], str, str, _Group] | None = None
        for (slot, value), group in sorted(values.items()):
            tagged = group.tagged.get(tag, [])
            if group.takes == whole.takes or not _supported(len(tagged), group.takes):
                continue  # every take has it (so it blames no slot), or too few carry the tag
            share = len(tagged) / group.takes
            rank = (share, len(tagged), -SLOTS.index(slot))
            if share > overall and (best is None or rank > best[0]):
                best = (rank, slot, value, group)
        if best is not None:
            _, slot, value, group = best
            hints.append(_hint(tag, slot, value, group, TEMPLATE))
        elif _supported(len(whole.tagged[tag]), whole.takes):
            hints.append(_hint(tag, WHOLE, "", whole, TEMPLATE))
    return hints


# ---- a preset's takes ---------------------------------------------------------------------


def presets_used(
    slots: Mapping[str, str], presets: Mapping[str, Sequence[Preset]]
) -> list[tuple[Preset, str]]:
    """The presets whose text a slot of the prompt holds, with that slot."""
    return [
        (preset, slot)
        for group in presets.values()
        for preset in group
        for slot, text in preset.slots.items()
        if uses(slots.get(slot, ""), text)
    ]


def preset_hints(
    takes: Iterable[Tagged],
    used: Sequence[tuple[Preset, str]],
    *,
    reviewed: int,
    tag_counts: Mapping[str, int],
) -> list[TagHint]:
    """One hint per tag with support among the reviewed takes with a preset in use, for
    the preset on whose takes it is most frequent. `takes` may hold others (each is checked
    for the preset's text in its slot); `reviewed` and `tag_counts` are the library's."""
    groups: list[tuple[Preset, str, _Group]] = []
    takes = list(takes)
    for preset, slot in used:
        group = _Group(preset.name)
        for take in takes:
            if uses(take.slots.get(slot, ""), preset.slots[slot]):
                group.add(take)
        groups.append((preset, slot, group))
    hints = []
    for tag in sorted({t for _, _, g in groups for t in g.tagged}):
        base = tag_counts.get(tag, 0) / reviewed if reviewed else 0.0
        best: tuple[tuple[float, int], Preset, str, _Group] | None = None
        for preset, slot, group in groups:
            tagged = group.tagged.get(tag, [])
            if not _supported(len(tagged), group.takes):
                continue
            share = len(tagged) / group.takes
            if share > base and (best is None or (share, len(tagged)) > best[0]):
                best = ((share, len(tagged)), preset, slot, group)
        if best is not None:
            _, preset, slot, group = best
            hints.append(_hint(tag, slot, f"preset:{preset.id}", group, PRESET, preset.slots[slot]))
    return hints


def merged(template: Sequence[TagHint], preset: Sequence[TagHint]) -> list[TagHint]:
    """A template's hints, then the presets' that say something else (a tag the template
    already hints on the same slot is said once)."""
    said = {(h.tag, h.slot) for h in template}
    return [*template, *(h for h in preset if (h.tag, h.slot) not in said)]


def _supported(tagged: int, takes: int) -> bool:
    return tagged >= MIN_TAGGED and tagged >= MIN_SHARE * takes


def _hint(tag: str, slot: str, value: str, group: _Group, scope: str, text: str = "") -> TagHint:
    tagged = tuple(sorted(group.tagged[tag]))
    return TagHint(tag, slot, value, group.shown, tagged, group.takes, scope, text)


def _short(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1].rstrip() + "…"
