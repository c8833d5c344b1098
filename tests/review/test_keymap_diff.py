"""The keymap as data, and the prompt and parameter diff between two takes."""

from __future__ import annotations

import json
from pathlib import Path

from studio.review.diff import (
    parameter_diffs,
    same_parameters,
    slot_diffs,
    word_diff,
    words_html,
)
from studio.review.keymap import load_keymap
from studio.store import JobRow, JobStatus


def test_builtin_keymap_has_the_suggested_defaults() -> None:
    keys, problem = load_keymap(Path("/nonexistent/keymap.toml"))
    assert problem == ""
    assert keys["decide.approve"].keys == ("A",)
    assert keys["decide.escalate"].keys == ("Shift+D",)
    assert keys["decide.undo"].keys == ("U",)
    assert keys["frame.next"].keys == (".",)
    assert keys["review.help"].keys == ("?",)
    assert {keys[f"score.{n}"].keys for n in range(3)} == {("0",), ("1",), ("2",)}


def test_a_user_keymap_overrides_and_a_broken_one_is_named(tmp_path: Path) -> None:
    mine = tmp_path / "keymap.toml"
    mine.write_text('[review]\n"decide.approve" = { keys = ["Y"] }\n')
    keys, problem = load_keymap(mine)
    assert (keys["decide.approve"].keys, keys["decide.edit"].keys, problem) == (("Y",), ("E",), "")
    mine.write_text(
        '[review]\n"decide.approve" = { keys = ["E"] }\n"decide.edit" = { keys = ["E"] }\n'
    )
    keys, problem = load_keymap(mine)
    assert str(mine) in problem
    assert "'E' is bound to both" in problem
    assert keys["decide.approve"].keys == ("A",)  # the built-in keys stand in
    mine.write_text('[review]\n"decide.sparkle" = { keys = ["X"] }\n')
    assert "unknown commands decide.sparkle" in load_keymap(mine)[1]


def test_word_diff_marks_changed_words_only() -> None:
    left, right = word_diff("warm golden hour light", "cold golden hour neon light")
    assert left == [("warm", True), ("golden", False), ("hour", False), ("light", False)]
    assert [w for w, changed in right if changed] == ["cold", "neon"]
    assert words_html(right[:1], "#fdd") == '<span style="background:#fdd">cold</span>'
    assert words_html([("<b>", True)], "#fdd").count("&lt;b&gt;") == 1


def job(spec: dict[str, object], model: str = "sim-fast") -> JobRow:
    return JobRow.from_row(
        {
            **dict.fromkeys(JobRow.__dataclass_fields__),
            "id": 1,
            "provider": "sim",
            "model": model,
            "prompt": "p",
            "spec_json": json.dumps(spec),
            "idem_key": "k",
            "status": JobStatus.READY.value,
            "priority": 0,
            "progress": 100,
            "created_at": 1.0,
            "updated_at": 1.0,
        }
    )


def test_slot_and_parameter_differences() -> None:
    a = {"subject": "a red kite", "lighting": "golden hour"}
    b = {"subject": "a red kite", "lighting": "neon night"}
    diffs = slot_diffs(a, b)
    assert [(d.slot, d.changed) for d in diffs] == [("subject", False), ("lighting", True)]
    left = job({"model": "sim-fast", "size": "640x360", "seconds": 4, "seed": 1})
    right = job(
        {
            "model": "sim-pro",
            "size": "640x360",
            "seconds": 8,
            "seed": 1,
            "reference_sha256": "ab" * 32,
        },
        model="sim-pro",
    )
    assert parameter_diffs(left, right) == [
        ("Model", "sim-fast", "sim-pro"),
        ("Seconds", "4", "8"),
        ("Reference image", "none", "image abababab…"),
    ]


def test_takes_whose_parameters_do_not_differ_are_said_to_share_what_they_share() -> None:
    """Compare said "same seed and reference image" of two takes with no seed (each drew
    its own) and no image."""
    random = job({"model": "sim-fast", "size": "640x360", "seconds": 4})
    assert same_parameters(random) == (
        "Same model (sim-fast), size 640x360 and 4 s; no reference image; no seed given "
        "(each render draws its own)."
    )
    seeded = job({"model": "sim-fast", "size": "640x360", "seconds": 4, "seed": 7,
                  "reference_sha256": "ab" * 32})  # fmt: skip
    assert same_parameters(seeded) == (
        "Same model (sim-fast), size 640x360 and 4 s; the same reference image "
        "(image abababab…); seed 7."
    )


def test_a_key_is_bound_once_per_mode_with_the_players_keys(tmp_path: Path) -> None:
    keys, problem = load_keymap(Path("/nonexistent/keymap.toml"))
    assert problem == ""
    # review and the blind pairwise mode are never open at once: they share arrows and U
    assert keys["pairwise.left"].keys[0] == keys["take.previous"].keys[0] == "Left"
    assert keys["pairwise.undo"].keys[0] == keys["decide.undo"].keys[0] == "U"
    mine = tmp_path / "keymap.toml"
    mine.write_text('[pairwise]\n"pairwise.tie" = { keys = ["Space"] }\n')
    keys, problem = load_keymap(mine)  # the player's keys work in every mode: refused
    assert "'Space' is bound to both" in problem
    assert "pairwise.tie" in problem
    assert keys["pairwise.tie"].keys == ("Down", "0")


def test_the_windows_keys_are_live_in_every_mode(tmp_path: Path) -> None:
    """The menus' shortcuts ([app], [queue]) are in the same keymap; a review, grid or
    pairwise key that one of them already holds is refused with both commands named."""
    keys, problem = load_keymap(Path("/nonexistent/keymap.toml"))
    assert problem == ""
    assert keys["render.queue"].keys == ("Ctrl+Return",)
    assert keys["view.library"].keys == ("Ctrl+3",)
    assert keys["queue.cancel"].group == "queue"
    assert keys["queue.forget"].keys == ()  # a command with no key, still listed to bind
    mine = tmp_path / "keymap.toml"
    for section, command in (("grid", "grid.star"), ("review", "take.star")):
        mine.write_text(f'[{section}]\n"{command}" = {{ keys = ["Ctrl+Q"] }}\n')
        keys, problem = load_keymap(mine)
        assert "'Ctrl+Q' is bound to both" in problem
        assert "app.quit" in problem
        assert command in problem
    mine.write_text('[app]\n"app.quit" = { keys = ["Ctrl+W"] }\n')  # moved: no clash
    keys, problem = load_keymap(mine)
    assert problem == ""
    assert keys["app.quit"].keys == ("Ctrl+W",)


def test_criteria_keys_go_by_place_so_an_edited_rubric_keeps_them() -> None:
    keys, _ = load_keymap(Path("/nonexistent/keymap.toml"))
    assert [keys[f"criterion.{n}"].keys for n in (1, 2, 3)] == [("Q",), ("W",), ("R",)]
    assert not any(
        command.startswith("criterion.")
        and not command.removeprefix("criterion.").isdigit()
        and command not in ("criterion.previous", "criterion.next")
        for command in keys
    )
