"""Reviewing takes: the rubric, a review session, prompt diffs and the keymap (no Qt)."""
