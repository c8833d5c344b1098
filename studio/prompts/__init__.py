"""Prompts (no Qt): slots and composition, presets, the linter, variant batches."""

from studio.prompts.lint import Linter, LintWarning
from studio.prompts.names import learned_terms
from studio.prompts.presets import Preset, PresetFileError, load_presets
from studio.prompts.slots import (
    LABELS,
    REQUIRED,
    SLOTS,
    PromptSlots,
    variant_label,
    variants,
)
from studio.prompts.terms import Terms

__all__ = [
    "LABELS",
    "REQUIRED",
    "SLOTS",
    "LintWarning",
    "Linter",
    "Preset",
    "PresetFileError",
    "PromptSlots",
    "Terms",
    "learned_terms",
    "load_presets",
    "variant_label",
    "variants",
]
