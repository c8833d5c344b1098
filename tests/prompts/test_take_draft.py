"""A stored take as the editor's state (`take_draft`), and what counts as unsent work."""

from __future__ import annotations

import dataclasses

from studio.core.spec import ReferenceFit, ReferenceImage, RenderRequest, RenderSpec, StoredSpec
from studio.prompts.draft import Draft, take_draft
from tests.helpers import png_bytes


def stored_take() -> StoredSpec:
    original = ReferenceImage(png_bytes(1600, 1600))
    fit = ReferenceFit(
        "fox.png",
        mode="pad",
        focus=(0.25, 0.75),
        pad_color="#102030",
        source_size=(1600, 1600),
        original_sha256=original.sha256,
    )
    spec = RenderSpec(
        model="sim-pro",
        prompt="a fox. In snow.",
        seconds=8,
        size="1280x720",
        seed=7,
        generate_audio=True,
        reference=ReferenceImage(png_bytes(1280, 720)),
    )
    request = RenderRequest(spec, {"subject": "a fox", "setting": "in snow"}, None, fit)
    return StoredSpec.from_json(request.stored().to_json())


def test_a_take_comes_back_with_everything_its_spec_holds() -> None:
    stored = stored_take()
    draft = take_draft(stored, project="spring", parent_job=12)
    assert draft.slots == {"subject": "a fox", "setting": "in snow"}
    assert (draft.model, draft.seconds, draft.frame) == ("sim-pro", 8, "1280x720")
    assert (draft.seed, draft.generate_audio, draft.project) == (7, True, "spring")
    assert draft.parent_job == 12
    assert draft.reference == stored.reference_fit  # the original's hash and its fit
    assert draft.reference is not None
    assert draft.reference.original_sha256 is not None
    assert Draft.from_json(draft.to_json()) == draft  # a draft file keeps all of it


def test_unsent_work_is_work_that_differs_from_what_was_loaded_or_queued() -> None:
    loaded = take_draft(stored_take(), project="spring", parent_job=None)
    assert not loaded.unsent  # just loaded: replacing it loses nothing
    assert not dataclasses.replace(loaded, model="sim-fast", seconds=4).unsent  # pickers
    assert dataclasses.replace(loaded, slots={"subject": "a wolf"}).unsent
    moved = dataclasses.replace(loaded.reference, focus=(0.5, 0.5))  # type: ignore[type-var]
    assert dataclasses.replace(loaded, reference=moved).unsent  # the framing is work too
    assert not Draft().unsent  # nothing typed: nothing to lose
    assert Draft(slots={"subject": "an owl"}).unsent  # typed, never queued


def test_an_old_take_without_slots_or_a_recorded_fit_still_opens() -> None:
    old = StoredSpec.from_json(
        '{"model": "sora-2", "prompt": "a crane", "seconds": 4, "size": "1280x720",'
        ' "reference_sha256": "' + "a" * 64 + '"}'
    )
    draft = take_draft(old, project="default", parent_job=None)
    assert draft.slots == {"subject": "a crane"}
    assert draft.reference is not None
    assert draft.reference.original_sha256 is None


def test_a_remix_is_stored_and_hashed_apart_from_the_same_prompt_rendered_anew() -> None:
    plain = RenderSpec(model="sim-fast", prompt="a heron at night", seconds=4, size="640x360")
    remix = dataclasses.replace(plain, remix_of="video_42")
    assert remix.content_hash() != plain.content_hash()
    assert "remix_of" not in plain.normalized()  # a render's hash is as it always was
    stored = StoredSpec.from_json(RenderRequest(remix).stored().to_json())
    assert stored.remix_of == "video_42"
    assert stored.request(None).spec == remix
