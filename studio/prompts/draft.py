"""The editor's unsent work, kept on disk as it is typed, so a restart or a crash loses
nothing: slots, model, duration, frame, seed, audio, project, variants (per slot) and the
reference image. A stored take becomes the editor's state through `take_draft` (Edit,
Duplicate and a refused take alike), and `sent` says what the editor held when it was last
loaded or queued, so work that differs from it is known to be unsent.

The draft is one small JSON file written atomically; the reference image is a copy of the
person's original file beside it (rewritten only when the image changes). A damaged draft is
set aside, never fatal.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from studio.core.spec import ReferenceFit, StoredSpec
from studio.prompts.slots import SLOTS

DRAFT = "draft.json"
REFERENCE = "reference.bin"


@dataclass(frozen=True)
class Draft:
    slots: dict[str, str] = field(default_factory=dict)
    model: str | None = None
    seconds: int | None = None
    frame: str | None = None  # "1280x720" or "720p 16:9"
    variant_slot: str | None = None
    variant_values: dict[str, str] = field(default_factory=dict)  # slot → lines typed
    reference: ReferenceFit | None = None  # the image's name and how it is fitted
    parent_job: int | None = None  # revising this take
    project: str | None = None
    seed: int | None = None
    generate_audio: bool | None = None  # None: the model's default
    refusal: str | None = None  # why the provider refused the take being revised
    sent: str | None = None  # `work()` when last loaded or queued (see `unsent`)

    def work(self) -> str:
        """What a person made here, as one signature: the prompt, the variants and the
        reference image with its framing. Pickers are not work: they are set in a click."""
        work = {
            "slots": {k: v for k, v in self.slots.items() if v.strip()},
            "variant_slot": self.variant_slot,
            "variant_values": {k: v for k, v in self.variant_values.items() if v.strip()},
            "reference": self.reference.framing() if self.reference else None,
        }
        return hashlib.sha256(json.dumps(work, sort_keys=True).encode()).hexdigest()

    @property
    def empty(self) -> bool:
        typed = (*self.slots.values(), *self.variant_values.values())
        return not any(v.strip() for v in typed) and self.reference is None

    @property
    def unsent(self) -> bool:
        """Whether replacing this would lose work: there is some, and it is not what was
        last loaded or queued."""
        return not self.empty and self.work() != self.sent

    def to_json(self) -> str:
        data = asdict(self)
        data["reference"] = self.reference.as_json() if self.reference else None
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Draft:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")

        def strings(value: object, keys: tuple[str, ...] | None = None) -> dict[str, str]:
            if not isinstance(value, dict):
                return {}
            return {
                str(k): str(v)
                for k, v in value.items()
                if isinstance(v, str) and (keys is None or k in keys)
            }

        def opt(value: object, kind: type) -> Any:
            return value if isinstance(value, kind) and not isinstance(value, bool) else None

        audio = data.get("generate_audio")

        return cls(
            slots=strings(data.get("slots"), SLOTS),
            model=opt(data.get("model"), str),
            seconds=opt(data.get("seconds"), int),
            frame=opt(data.get("frame"), str),
            variant_slot=data["variant_slot"] if data.get("variant_slot") in SLOTS else None,
            variant_values=strings(data.get("variant_values"), SLOTS),
            reference=ReferenceFit.from_json(data.get("reference")),
            parent_job=opt(data.get("parent_job"), int),
            project=opt(data.get("project"), str),
            seed=opt(data.get("seed"), int),
            generate_audio=audio if isinstance(audio, bool) else None,
            refusal=opt(data.get("refusal"), str),
            sent=opt(data.get("sent"), str),
        )


def take_draft(
    spec: StoredSpec, *, project: str, parent_job: int | None, refusal: str | None = None
) -> Draft:
    """A stored take as the editor's state: everything its spec holds (slots, model,
    duration, frame, seed, audio, the reference image and its fit) and its project. The one
    way a take is put back in the editor. `parent_job` makes the next render a revision."""
    reference = spec.reference_fit
    if reference is None and spec.reference_sha256:  # sent with an image, fit not recorded
        reference = ReferenceFit(name="reference image")
    draft = Draft(
        slots={k: v for k, v in spec.slots_or_prompt().items() if k in SLOTS and v},
        model=spec.model or None,
        seconds=spec.seconds or None,
        frame=str(spec.frame) if spec.frame else None,
        reference=reference if spec.reference_sha256 else None,
        parent_job=parent_job,
        project=project,
        seed=spec.seed,
        generate_audio=spec.generate_audio,
        refusal=refusal,
    )
    return dataclasses.replace(draft, sent=draft.work())


class DraftStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._image_sha: str | None = None

    @property
    def image(self) -> Path:
        return self.folder / REFERENCE

    def exists(self) -> bool:
        return (self.folder / DRAFT).is_file()

    def load(self) -> tuple[Draft | None, str | None]:
        """(the draft, a problem to tell the person): nothing saved yet gives (None, None)."""
        path = self.folder / DRAFT
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None, None
        except OSError as err:
            return None, f"The unsent prompt could not be read back ({err.strerror or err})."
        try:
            draft = Draft.from_json(text)
        except (ValueError, TypeError) as err:
            aside = path.with_name(f"{DRAFT}.bad-{time.strftime('%Y%m%d-%H%M%S')}")
            os.replace(path, aside)
            return None, f"The unsent prompt was damaged ({err}); it was kept as {aside.name}."
        if draft.reference is not None and not self.image.is_file():
            draft = Draft(**{**draft.__dict__, "reference": None})
        return draft, None

    def save(self, draft: Draft, image: bytes | None) -> None:
        """Write the draft (and the reference image when it changed), atomically."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if image is None:
            self.image.unlink(missing_ok=True)
            self._image_sha = None
        else:
            sha = hashlib.sha256(image).hexdigest()
            if sha != self._image_sha or not self.image.is_file():
                _write(self.image, image)
                self._image_sha = sha
        _write(self.folder / DRAFT, draft.to_json().encode("utf-8"))


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
