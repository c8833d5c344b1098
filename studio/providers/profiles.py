"""Model capability profiles as data: what each model allows and what it costs.

Profiles come from `resources/models/*.toml` (static, for OpenAI-shape models) or from a
provider's discovery endpoint (OpenRouter). `validate` rejects a spec before any request and
names the allowed values, because the API's own 400 costs a round trip and says less.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.errors import ConfigError, SpecError
from studio.core.resources import read_toml, resources_dir
from studio.core.spec import Frame, RenderSpec

MAX_PROMPT_CHARS = 10_000
_SIZE_RE = re.compile(r"^(\d{2,5})x(\d{2,5})$")
_RES_SHORT_SIDE = {"1K": 1024, "2K": 1440, "4K": 2160}


def parse_size(size: str) -> tuple[int, int]:
    m = _SIZE_RE.match(size)
    if not m:
        raise SpecError(f"Size '{size}' is not of the form WIDTHxHEIGHT, e.g. 1280x720.")
    return int(m.group(1)), int(m.group(2))


def resolution_size(resolution: str, aspect_ratio: str) -> tuple[int, int]:
    """Pixel size for e.g. ('720p', '16:9') → (1280, 720); even numbers, as encoders need."""
    if resolution.endswith("p") and resolution[:-1].isdigit():
        short = int(resolution[:-1])
    elif resolution in _RES_SHORT_SIDE:
        short = _RES_SHORT_SIDE[resolution]
    else:
        raise SpecError(f"Unknown resolution '{resolution}' (expected e.g. 720p, 1080p, 2K).")
    try:
        aw, ah = (int(x) for x in aspect_ratio.split(":"))
    except ValueError:
        raise SpecError(f"Aspect ratio '{aspect_ratio}' is not of the form W:H.") from None
    if aw <= 0 or ah <= 0:
        raise SpecError(f"Aspect ratio '{aspect_ratio}' must have positive sides.")
    if aw >= ah:
        return _even(short * aw / ah), short
    return short, _even(short * ah / aw)


def _even(x: float) -> int:
    return int(round(x / 2) * 2)


@dataclass(frozen=True)
class ModelProfile:
    id: str
    name: str
    durations: tuple[int, ...]
    sizes: tuple[str, ...] = ()
    resolutions: tuple[str, ...] = ()
    aspect_ratios: tuple[str, ...] = ()
    reference_image: bool = False
    remix: bool = False
    audio: bool = False
    seed: bool = False
    # Price in USD per second of output, keyed by size or resolution; "default" otherwise.
    price_per_second: Mapping[str, float] = field(default_factory=dict)
    apis: tuple[str, ...] = ("openai",)
    typical_render_seconds: float = 60.0
    description: str = ""
    frame_rate: float | None = None  # frames per second of its clips, where documented

    @property
    def uses_sizes(self) -> bool:
        return bool(self.sizes)

    def frames(self) -> tuple[Frame, ...]:
        """The output frames this model offers, in the profile's order."""
        if self.sizes:
            return tuple(Frame(size=s) for s in self.sizes)
        return tuple(Frame(resolution=r, aspect_ratio=a)
                     for r in self.resolutions for a in self.aspect_ratios)  # fmt: skip

    def output_size(self, spec: RenderSpec) -> tuple[int, int]:
        if spec.size:
            return parse_size(spec.size)
        if spec.resolution and spec.aspect_ratio:
            return resolution_size(spec.resolution, spec.aspect_ratio)
        raise SpecError("The spec names neither a size nor a resolution and aspect ratio.")

    def price_for(self, spec: RenderSpec) -> float | None:
        for key in (spec.size, spec.resolution, "default"):
            if key and key in self.price_per_second:
                return self.price_per_second[key]
        return None

    def estimate_cost(self, spec: RenderSpec) -> float | None:
        price = self.price_for(spec)
        return None if price is None else round(price * spec.seconds, 6)

    def validate(self, spec: RenderSpec) -> None:
        """Raise `SpecError` naming the allowed values if `spec` is not allowed for this model."""
        if spec.model != self.id:
            raise SpecError(f"Spec is for model '{spec.model}', not '{self.id}'.")
        if not spec.prompt.strip():
            raise SpecError("The prompt is empty: describe at least a subject and an action.")
        if len(spec.prompt) > MAX_PROMPT_CHARS:
            raise SpecError(
                f"The prompt is {len(spec.prompt):,} characters; the limit is {MAX_PROMPT_CHARS:,}."
            )
        if spec.seconds not in self.durations:
            raise SpecError(
                f"{self.id} does not allow {spec.seconds} s; "
                f"allowed durations: {_join(f'{d} s' for d in self.durations)}."
            )
        self._validate_frame(spec)
        if spec.reference is not None and not self.reference_image:
            raise SpecError(f"{self.id} does not accept a reference image.")
        if spec.generate_audio and not self.audio:
            raise SpecError(f"{self.id} cannot generate audio.")
        if spec.seed is not None and not self.seed:
            raise SpecError(f"{self.id} does not accept a seed.")
        if spec.remix_of is not None:
            if not self.remix:
                raise SpecError(f"{self.id} cannot remix a take.")
            if spec.reference is not None:
                raise SpecError("A remix sends only the prompt; it takes no reference image.")

    def _validate_frame(self, spec: RenderSpec) -> None:
        if spec.size is not None:
            if spec.resolution or spec.aspect_ratio:
                raise SpecError("Give either a size or a resolution and aspect ratio, not both.")
            allowed = self.sizes or tuple(
                f"{w}x{h}"
                for r in self.resolutions
                for a in self.aspect_ratios
                for (w, h) in [resolution_size(r, a)]
            )
            if spec.size not in allowed:
                parse_size(spec.size)  # a malformed size gets the clearer message
                raise SpecError(
                    f"{self.id} does not allow size {spec.size}; allowed sizes: {_join(allowed)}."
                )
            return
        if not (spec.resolution and spec.aspect_ratio):
            hint = f"sizes: {_join(self.sizes)}" if self.sizes else "a resolution and aspect ratio"
            raise SpecError(f"Choose an output frame for {self.id}: {hint}.")
        if not self.resolutions:
            raise SpecError(f"{self.id} takes a size, not a resolution: {_join(self.sizes)}.")
        if spec.resolution not in self.resolutions:
            raise SpecError(
                f"{self.id} does not allow resolution {spec.resolution}; "
                f"allowed resolutions: {_join(self.resolutions)}."
            )
        if spec.aspect_ratio not in self.aspect_ratios:
            raise SpecError(
                f"{self.id} does not allow aspect ratio {spec.aspect_ratio}; "
                f"allowed aspect ratios: {_join(self.aspect_ratios)}."
            )


def _join(values: Iterable[object]) -> str:
    return ", ".join(str(v) for v in values)


class ProfileSet:
    """The models a provider offers, by id; `note` says how the list was made when a person
    should know (the server could not be asked, or serves none Studio knows)."""

    def __init__(
        self, profiles: Iterable[ModelProfile], note: str = "", *, provisional: bool = False
    ) -> None:
        self._by_id = {p.id: p for p in profiles}
        self.note = note
        self.provisional = provisional  # a stand-in while the provider cannot be asked

    def __iter__(self) -> Any:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, model: object) -> bool:
        return model in self._by_id

    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def get(self, model: str) -> ModelProfile:
        try:
            return self._by_id[model]
        except KeyError:
            raise SpecError(
                f"Unknown model '{model}'; known models: {_join(self.ids())}."
            ) from None

    def price(self, spec: RenderSpec) -> float | None:
        """Check `spec` against its model (`SpecError`) and estimate what it costs: the one
        check a spec passes before it is queued."""
        return self.validate(spec).estimate_cost(spec)

    def validate(self, spec: RenderSpec) -> ModelProfile:
        profile = self.get(spec.model)
        profile.validate(spec)
        return profile


# ---- loading from TOML -------------------------------------------------------------------


class ProfileFileError(ConfigError):
    """A model profile file is unreadable or has a bad field; the message names both."""


def load_profile_file(path: Path) -> ModelProfile:
    return profile_from_mapping(read_toml(path, ProfileFileError), source=str(path))


def profile_from_mapping(data: Mapping[str, Any], *, source: str) -> ModelProfile:
    def bad(name: str, want: str) -> ProfileFileError:
        return ProfileFileError(f"{source}: field '{name}' must be {want}")

    def strings(name: str) -> tuple[str, ...]:
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise bad(name, "a list of non-empty strings")
        return tuple(value)

    def flag(name: str) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            raise bad(name, "true or false")
        return value

    model_id = data.get("id")
    if not isinstance(model_id, str) or not model_id:
        raise bad("id", "a non-empty string")
    durations = data.get("durations")
    if (
        not isinstance(durations, list)
        or not durations
        or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in durations)
    ):
        raise bad("durations", "a non-empty list of positive whole seconds")
    sizes = strings("sizes")
    for s in sizes:
        if not _SIZE_RE.match(s):
            raise bad("sizes", f"a list of WIDTHxHEIGHT strings (got '{s}')")
    resolutions, aspects = strings("resolutions"), strings("aspect_ratios")
    if not sizes and not (resolutions and aspects):
        raise bad("sizes", "given, or else both 'resolutions' and 'aspect_ratios'")
    try:
        for r in resolutions:
            for a in aspects:
                resolution_size(r, a)
    except SpecError as err:
        raise bad("resolutions/aspect_ratios", f"valid ({err})") from None
    prices = data.get("price_per_second", {})
    if not isinstance(prices, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in prices.values()
    ):
        raise bad("price_per_second", "a table of non-negative numbers")
    apis = strings("apis") or ("openai",)
    render = data.get("typical_render_seconds", 60.0)
    if not isinstance(render, int | float) or render <= 0:
        raise bad("typical_render_seconds", "a positive number")
    frame_rate = data.get("frame_rate")
    if frame_rate is not None and (
        not isinstance(frame_rate, int | float) or isinstance(frame_rate, bool) or frame_rate <= 0
    ):
        raise bad("frame_rate", "a positive number (frames per second)")
    return ModelProfile(
        id=model_id,
        name=str(data.get("name", model_id)),
        durations=tuple(sorted(durations)),
        sizes=sizes,
        resolutions=resolutions,
        aspect_ratios=aspects,
        reference_image=flag("reference_image"),
        remix=flag("remix"),
        audio=flag("audio"),
        seed=flag("seed"),
        price_per_second={str(k): float(v) for k, v in prices.items()},
        apis=apis,
        typical_render_seconds=float(render),
        description=str(data.get("description", "")),
        frame_rate=float(frame_rate) if frame_rate is not None else None,
    )


def load_profiles(folder: Path | None = None) -> ProfileSet:
    folder = folder or resources_dir() / "models"
    return ProfileSet(load_profile_file(p) for p in sorted(folder.glob("*.toml")))


def profile_from_openrouter(model: Mapping[str, Any]) -> ModelProfile:
    """Turn one entry of OpenRouter's `GET /videos/models` into a profile."""
    model_id = model.get("id")
    if not isinstance(model_id, str) or not model_id:
        raise ProfileFileError("OpenRouter model list: an entry has no 'id'")
    durations = [d for d in (model.get("supported_durations") or []) if isinstance(d, int)]
    if not durations:
        raise ProfileFileError(f"OpenRouter model {model_id}: no supported durations listed")
    prices: dict[str, float] = {}
    for sku, value in (model.get("pricing_skus") or {}).items():
        try:
            price = float(value)
        except (TypeError, ValueError):
            continue
        if sku == "per-video-second":
            prices["default"] = price
        elif sku.startswith("per-video-second-"):
            prices[sku.removeprefix("per-video-second-")] = price
    frame_images = model.get("supported_frame_images") or []
    return ModelProfile(
        id=model_id,
        name=str(model.get("name") or model_id),
        durations=tuple(sorted(durations)),
        sizes=tuple(model.get("supported_sizes") or ()),
        resolutions=tuple(model.get("supported_resolutions") or ()),
        aspect_ratios=tuple(model.get("supported_aspect_ratios") or ()),
        reference_image="first_frame" in frame_images,
        remix=False,
        audio=bool(model.get("generate_audio")),
        seed=bool(model.get("seed")),
        price_per_second=prices,
        apis=("openrouter",),
        description=str(model.get("description") or ""),
    )
