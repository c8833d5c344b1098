"""The simulator's models, prices and moderation word list.

Deliberately separate from `resources/models`: the simulator is a second implementation of
the providers' behaviour, and a test compares the two so a mistake cannot hide in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_API_KEY = "sk-sim-local"

DEFAULT_MODERATION_TERMS = (
    "taylor swift",
    "tom cruise",
    "beyonce",
    "mickey mouse",
    "spider-man",
    "pikachu",
    "coca-cola",
    "nike",
    "disney",
)

_SHORT = {"360p": 360, "480p": 480, "720p": 720, "1080p": 1080}


def pixel_size(resolution: str, aspect: str) -> str | None:
    short = _SHORT.get(resolution)
    try:
        aw, ah = (int(x) for x in aspect.split(":"))
    except ValueError:
        return None
    if short is None or aw <= 0 or ah <= 0:
        return None
    if aw >= ah:
        return f"{int(round(short * aw / ah / 2) * 2)}x{short}"
    return f"{short}x{int(round(short * ah / aw / 2) * 2)}"


@dataclass(frozen=True)
class SimModel:
    id: str
    name: str
    durations: tuple[int, ...]
    # OpenRouter-style frame choices; pixel sizes are derived, plus any extra sizes.
    resolutions: tuple[str, ...]
    aspect_ratios: tuple[str, ...]
    extra_sizes: tuple[str, ...] = ()
    price: dict[str, float] = field(default_factory=dict)  # per second, by size or resolution
    audio: bool = False
    seed: bool = False
    first_frame: bool = True
    remix: bool = True

    @property
    def sizes(self) -> tuple[str, ...]:
        derived = [pixel_size(r, a) for r in self.resolutions for a in self.aspect_ratios]
        return tuple(dict.fromkeys([s for s in derived if s] + list(self.extra_sizes)))

    def resolution_of(self, size: str) -> str | None:
        for r in self.resolutions:
            if any(pixel_size(r, a) == size for a in self.aspect_ratios):
                return r
        return None

    def price_per_second(self, size: str) -> float:
        if size in self.price:
            return self.price[size]
        return self.price.get(self.resolution_of(size) or "", 0.0)


MODELS: dict[str, SimModel] = {
    m.id: m
    for m in (
        SimModel(
            id="sim-fast",
            name="Simulator (fast)",
            durations=(4, 8, 12),
            resolutions=("360p", "720p"),
            aspect_ratios=("16:9", "9:16"),
            price={"360p": 0.05, "720p": 0.10},
        ),
        SimModel(
            id="sim-pro",
            name="Simulator (pro)",
            durations=(4, 8, 12),
            resolutions=("720p",),
            aspect_ratios=("16:9", "9:16"),
            extra_sizes=("1792x1024", "1024x1792"),
            price={"720p": 0.30, "1792x1024": 0.50, "1024x1792": 0.50},
            audio=True,
        ),
        SimModel(
            id="sim-motion",
            name="Simulator motion (OpenRouter-style)",
            durations=(2, 4, 6, 8),
            resolutions=("480p", "720p"),
            aspect_ratios=("16:9", "9:16", "1:1"),
            price={"480p": 0.04, "720p": 0.08},
            audio=True,
            seed=True,
            remix=False,
        ),
    )
}


def openrouter_model_entry(model: SimModel, created: int) -> dict[str, object]:
    """A `GET /api/v1/videos/models` entry, as OpenRouter documents the shape."""
    skus = {"per-video-second": f"{min(model.price.values()):.2f}"}
    skus.update({f"per-video-second-{res}": f"{p:.2f}" for res, p in model.price.items()})
    return {
        "id": model.id,
        "canonical_slug": model.id,
        "name": model.name,
        "description": "Studio's built-in simulator",
        "created": created,
        "supported_durations": list(model.durations),
        "supported_resolutions": list(model.resolutions),
        "supported_aspect_ratios": list(model.aspect_ratios),
        "supported_sizes": list(model.sizes),
        "supported_frame_images": ["first_frame"] if model.first_frame else [],
        "generate_audio": model.audio,
        "seed": model.seed,
        "pricing_skus": skus,
        "allowed_passthrough_parameters": [],
        # Nullable but required in OpenRouter's schema (its SDK refuses entries without them).
        "creativity": None,
        "upscale_factor": None,
    }
