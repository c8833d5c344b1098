"""Prompt slots and how they compose, in a fixed order, into the text sent to the model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SLOTS: tuple[str, ...] = (
    "subject",
    "action",
    "setting",
    "camera",
    "lighting",
    "style",
    "constraints",
)
LABELS = {
    "subject": "Subject",
    "action": "Action",
    "setting": "Setting",
    "camera": "Camera",
    "lighting": "Lighting",
    "style": "Mood/Style",
    "constraints": "Constraints",
}
REQUIRED = ("subject", "action")


@dataclass(frozen=True)
class PromptSlots:
    subject: str = ""
    action: str = ""
    setting: str = ""
    camera: str = ""
    lighting: str = ""
    style: str = ""
    constraints: str = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> PromptSlots:
        unknown = set(values) - set(SLOTS)
        if unknown:
            raise ValueError(f"unknown slot(s): {', '.join(sorted(unknown))}")
        return cls(**{k: str(v) for k, v in values.items()})

    def as_dict(self) -> dict[str, str]:
        return {slot: getattr(self, slot) for slot in SLOTS}

    def with_slot(self, slot: str, value: str) -> PromptSlots:
        if slot not in SLOTS:
            raise ValueError(f"unknown slot '{slot}'")
        return PromptSlots(**{**self.as_dict(), slot: value})

    def compose(self) -> str:
        """Subject and action as one sentence, then each further slot as its own sentence."""
        parts = [_clean(self.subject), _clean(self.action)]
        first = " ".join(p for p in parts if p)
        sentences = [first] if first else []
        for slot in ("setting", "camera", "lighting", "style"):
            text = _clean(getattr(self, slot))
            if text:
                sentences.append(text[0].upper() + text[1:])
        constraints = _clean(self.constraints)
        if constraints:
            sentences.append(
                f"Avoid: {constraints}"
                if not constraints.lower().startswith(
                    ("no ", "avoid", "without", "don't", "do not")
                )
                else constraints[0].upper() + constraints[1:]
            )
        return " ".join(s if s.endswith((".", "!", "?")) else s + "." for s in sentences)


def _clean(text: str) -> str:
    return " ".join(text.split()).strip().rstrip(".")


def variant_label(slot: str, value: str) -> str:
    """How a variant take is told apart from its batch: "Camera: slow push"."""
    return f"{LABELS.get(slot, slot.title())}: {' '.join(value.split())}"


def variants(base: PromptSlots, slot: str, values: list[str]) -> list[PromptSlots]:
    """One-variable A/B: copies of `base` that differ only in `slot`."""
    cleaned = [v for v in (" ".join(x.split()) for x in values) if v]
    if len(cleaned) < 2:
        raise ValueError("A variant batch needs at least two values for the slot.")
    if len(set(cleaned)) != len(cleaned):
        raise ValueError("Variant values must differ from each other.")
    return [base.with_slot(slot, value) for value in cleaned]
