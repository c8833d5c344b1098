"""The prompt linter: warnings before money is spent. Never blocks; each names its slot.

Rules: empty required slots, over-long prompt, conflicting cues, vague words, more than one
scene, readable on-screen text, likely-blocked names (from `resources/lint/terms.toml` and
from the user's own past moderation failures), a duration too short for the action, and the
defect tags reviewers gave earlier takes of this template or with these presets
(studio.prompts.tag_hints).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from studio.prompts.names import Found, find_names, name_key
from studio.prompts.slots import LABELS, REQUIRED, SLOTS, PromptSlots
from studio.prompts.tag_hints import TagHint, applies
from studio.prompts.terms import Terms

MAX_PROMPT = 1000  # longer prompts dilute what matters; most guides advise well under this
SECONDS_PER_ACTION = 2.0  # a distinct action needs about this long to read on screen
PROMPT = "prompt"  # warnings about the whole text rather than one slot


@dataclass(frozen=True)
class LintWarning:
    rule: str
    slot: str  # one of SLOTS, or "prompt"
    message: str
    term: str = ""  # the name a "blocked" warning is about (its `name_key`)
    learned: bool = False  # only a refusal says it is a name: a person may say it is not
    hint: TagHint | None = None  # a "tags" warning's counts, takes and what dismisses it


def _find(text: str, phrases: Iterable[str]) -> list[str]:
    lowered = text.lower()
    return [p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p.lower())}(?![\w-])", lowered)]


class Linter:
    def __init__(self, terms: Terms | None = None, learned_blocked: Iterable[str] = ()) -> None:
        self.terms = terms or Terms.load()
        self.shipped = tuple(dict.fromkeys(filter(None, map(name_key, self.terms.likely_blocked))))
        self.learned: dict[str, str] = {}  # key → the name as a refused prompt wrote it
        self.learn(learned_blocked)

    def learn(self, names: Iterable[str]) -> list[str]:
        """Names from prompts the provider refused (`learned_terms`); returns the new ones."""
        new = []
        for name in names:
            key = name_key(name)
            if key and key not in self.learned:
                self.learned[key] = " ".join(name.split())
                new.append(self.learned[key])
        return new

    def check(
        self,
        slots: PromptSlots,
        seconds: int | None = None,
        *,
        not_names: Collection[str] = (),
        hints: Sequence[TagHint] = (),
    ) -> list[LintWarning]:
        """`not_names`: learned names a person said are not names (for this template);
        `hints`: what defect tags say of this template and the presets (those that apply
        to these slots are warned of)."""
        values = slots.as_dict()
        out: list[LintWarning] = []
        for slot in REQUIRED:
            if not values[slot].strip():
                out.append(LintWarning("empty", slot, f"{LABELS[slot]} is empty."))
        prompt = slots.compose()
        if len(prompt) > MAX_PROMPT:
            out.append(
                LintWarning(
                    "too-long",
                    PROMPT,
                    f"The prompt is {len(prompt):,} characters; "
                    f"keep it under {MAX_PROMPT:,} so each cue counts.",
                )
            )
        out += self._conflicts(values)
        for slot in SLOTS:
            text = _affirmed(slot, values[slot])
            if not text:
                continue
            for word in _find(text, self.terms.vague):
                out.append(
                    LintWarning("vague", slot, f"“{word}” is vague: say what it looks like.")
                )
            breaks = _find(text, self.terms.scene_breaks)
            if breaks:
                out.append(
                    LintWarning(
                        "scenes",
                        slot,
                        f"“{breaks[0]}” suggests more than one "
                        "scene; one clip renders one continuous shot.",
                    )
                )
            if _find(text, self.terms.on_screen_text) or re.search(r"[\"“][^\"”]+[\"”]", text):
                out.append(
                    LintWarning(
                        "text",
                        slot,
                        "Readable on-screen text usually comes "
                        "out garbled; add it in the edit instead.",
                    )
                )
            out += self._names(slot, text, not_names)
        if seconds is not None:
            actions = _count_actions(values["action"])
            if actions * SECONDS_PER_ACTION > seconds:
                out.append(
                    LintWarning(
                        "duration",
                        "action",
                        f"{actions} actions in {seconds} s is "
                        "rushed; choose a longer duration or fewer actions.",
                    )
                )
        for hint in hints:
            if applies(hint, values):
                out.append(LintWarning("tags", hint.slot, hint.message, hint=hint))
        return out

    def _names(self, slot: str, text: str, not_names: Collection[str]) -> list[LintWarning]:
        """One warning per name, shipped or learned or both ("Spiderman" matching two
        spellings, or a learned name inside a shipped one, is one name)."""
        learned = [k for k in self.learned if k not in not_names]
        out: list[LintWarning] = []
        said: set[str] = set()
        for group in _overlapping(find_names(text, (*self.shipped, *learned))):
            keys = {f.key for f in group}
            if keys & said:
                continue
            said |= keys
            widest = max(group, key=lambda f: f.end - f.start)
            written = text[widest.start : widest.end]
            shipped, refused = keys & set(self.shipped), keys & set(learned)
            if shipped and refused:
                why = (
                    "is likely blocked by moderation (real people, brands, characters), "
                    "and a prompt of yours with it was refused before."
                )
            elif shipped:
                why = "is likely blocked by moderation (real people, brands, characters)."
            else:
                why = (
                    "was in a prompt of yours that moderation refused: "
                    "likely a real person, brand or character."
                )
            out.append(LintWarning("blocked", slot, f"“{written}” {why}", widest.key, not shipped))
        return out

    def _conflicts(self, values: dict[str, str]) -> list[LintWarning]:
        out = []
        everything = " ".join(v for k, v in values.items() if k != "constraints")
        for conflict in self.terms.conflicts:
            a, b = _find(everything, conflict.a), _find(everything, conflict.b)
            if a and b:
                slot = next((s for s in SLOTS if _find(values[s], conflict.b)), PROMPT)
                out.append(
                    LintWarning("conflict", slot, f"“{a[0]}” and “{b[0]}”: {conflict.message}.")
                )
        setting = values["setting"]
        places = len(re.findall(r"\b(in|at|on|inside|outside)\s+(a|an|the)\b", setting.lower()))
        if places >= 2 and re.search(r"\b(and|or|then)\b|/", setting.lower()):
            out.append(LintWarning("conflict", "setting", "Two settings in one clip; pick one."))
        return out


_CLAUSE = re.compile(r"[,;.]")  # a negation ("no logos or text") runs to the clause end
_NEGATED = re.compile(
    r"^\s*(no|not|never|avoid|avoiding|without|don't|do not|exclude|excluding|nothing|zero)\b",
    re.IGNORECASE,
)


def _affirmed(slot: str, text: str) -> str:
    """What a slot asks for. Constraints are mostly negatives ("no logos, no text
    overlays"): those clauses ask for the opposite of what they name, so they are left out;
    anything else there ("Nike shoes in view") is checked like any other slot."""
    if slot != "constraints":
        return text
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]
    return ", ".join(c.strip() for c in clauses if not _NEGATED.match(c))


def _count_actions(action: str) -> int:
    clauses = [c for c in re.split(r",|;|\band\b|\bthen\b", action.lower()) if c.strip()]
    return len(clauses)


def _overlapping(found: list[Found]) -> list[list[Found]]:
    """Names found at overlapping places, grouped (`found` is in order of place)."""
    groups: list[list[Found]] = []
    end = -1
    for f in found:
        if groups and f.start < end:
            groups[-1].append(f)
            end = max(end, f.end)
        else:
            groups.append([f])
            end = f.end
    return groups
