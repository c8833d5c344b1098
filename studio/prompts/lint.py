"""The prompt linter: warnings before money is spent. Never blocks; each names its slot.

Rules: empty required slots, over-long prompt, conflicting cues, vague words, more than one
scene, readable on-screen text, likely-blocked names (from `resources/lint/terms.toml` and
from the user's own past moderation failures), and a duration too short for the action.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from studio.core.resources import resources_dir
from studio.prompts.slots import LABELS, REQUIRED, SLOTS, PromptSlots

MAX_PROMPT = 1000  # longer prompts dilute what matters; most guides advise well under this
SECONDS_PER_ACTION = 2.0  # a distinct action needs about this long to read on screen
PROMPT = "prompt"  # warnings about the whole text rather than one slot


@dataclass(frozen=True)
class LintWarning:
    rule: str
    slot: str  # one of SLOTS, or "prompt"
    message: str


@dataclass(frozen=True)
class Conflict:
    a: tuple[str, ...]
    b: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Terms:
    likely_blocked: tuple[str, ...]
    vague: tuple[str, ...]
    scene_breaks: tuple[str, ...]
    on_screen_text: tuple[str, ...]
    conflicts: tuple[Conflict, ...]

    @classmethod
    def load(cls, path: Path | None = None) -> Terms:
        path = path or resources_dir() / "lint" / "terms.toml"
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(
            likely_blocked=tuple(data["likely_blocked"]),
            vague=tuple(data["vague"]),
            scene_breaks=tuple(data["scene_breaks"]),
            on_screen_text=tuple(data["on_screen_text"]),
            conflicts=tuple(
                Conflict(tuple(c["a"]), tuple(c["b"]), c["message"]) for c in data["conflict"]
            ),
        )


def _find(text: str, phrases: Iterable[str]) -> list[str]:
    lowered = text.lower()
    return [p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p.lower())}(?![\w-])", lowered)]


class Linter:
    def __init__(self, terms: Terms | None = None, learned_blocked: Iterable[str] = ()) -> None:
        self.terms = terms or Terms.load()
        self.learned = tuple(dict.fromkeys(t.lower() for t in learned_blocked if t.strip()))

    def check(self, slots: PromptSlots, seconds: int | None = None) -> list[LintWarning]:
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
            for name in _find(text, (*self.terms.likely_blocked, *self.learned)):
                source = "blocked before" if name in self.learned else "likely blocked"
                out.append(
                    LintWarning(
                        "blocked",
                        slot,
                        f"“{name}” is {source} by moderation (real people, brands, characters).",
                    )
                )
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


def learned_terms(blocked_prompts: Iterable[str]) -> list[str]:
    """Names from prompts the provider refused: capitalised words and pairs of them."""
    names: list[str] = []
    for prompt in blocked_prompts:
        words = re.findall(r"\b[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*", prompt)
        names += [
            w
            for w in words
            if w.lower() not in ("a", "an", "the") and len(w) > 2 and not prompt.startswith(w)
        ]
    return names
