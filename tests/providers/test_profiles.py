"""Capability profiles: shipped data, validation before any request, discovery, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.errors import SpecError
from studio.core.spec import ReferenceImage, RenderSpec
from studio.providers.profiles import (
    ProfileFileError,
    load_profile_file,
    load_profiles,
    profile_from_openrouter,
    resolution_size,
)
from studio.providers.types import new_idempotency_key
from studio.sim import render
from studio.sim.catalog import MODELS, openrouter_model_entry


def spec(**kw: object) -> RenderSpec:
    base: dict[str, object] = {
        "model": "sora-2",
        "prompt": "a fox",
        "seconds": 4,
        "size": "1280x720",
    }
    return RenderSpec(**{**base, **kw})  # type: ignore[arg-type]


def test_shipped_sora_profiles_match_the_published_table() -> None:
    profiles = load_profiles()
    sora, pro = profiles.get("sora-2"), profiles.get("sora-2-pro")
    assert sora.durations == pro.durations == (4, 8, 12)
    assert set(sora.sizes) == {"1280x720", "720x1280"}
    assert set(pro.sizes) == {"1280x720", "720x1280", "1792x1024", "1024x1792"}
    assert sora.estimate_cost(spec(seconds=8)) == pytest.approx(0.80)
    assert pro.estimate_cost(spec(model="sora-2-pro", seconds=12)) == pytest.approx(3.60)
    big = spec(model="sora-2-pro", seconds=4, size="1792x1024")
    assert pro.estimate_cost(big) == pytest.approx(2.00)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"seconds": 5}, "allowed durations: 4 s, 8 s, 12 s"),
        ({"size": "1792x1024"}, "allowed sizes: 1280x720, 720x1280"),
        ({"size": "huge"}, "not of the form WIDTHxHEIGHT"),
        ({"prompt": "   "}, "prompt is empty"),
        ({"prompt": "x" * 10_001}, "limit is 10,000"),
        ({"model": "sora-3"}, "known models: sim-fast, sim-pro, sora-2, sora-2-pro"),
        ({"seed": 3}, "does not accept a seed"),
        ({"size": None}, "Choose an output frame"),
        ({"resolution": "720p", "aspect_ratio": "16:9"}, "not both"),
    ],
)
def test_invalid_specs_name_the_allowed_values(changes: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load_profiles().validate(spec(**changes))


def test_reference_image_needs_support() -> None:
    profiles = load_profiles()
    profiles.validate(spec(reference=ReferenceImage(b"\x89PNG")))
    motion = profile_from_openrouter(
        {**openrouter_model_entry(MODELS["sim-motion"], 0), "supported_frame_images": []}
    )
    with pytest.raises(SpecError, match="does not accept a reference image"):
        motion.validate(
            RenderSpec(
                model="sim-motion",
                prompt="p",
                seconds=4,
                resolution="480p",
                aspect_ratio="1:1",
                reference=ReferenceImage(b"x"),
            )
        )


def test_resolution_sizes() -> None:
    assert resolution_size("720p", "16:9") == (1280, 720)
    assert resolution_size("720p", "9:16") == (720, 1280)
    assert resolution_size("480p", "16:9") == (854, 480)
    assert resolution_size("1080p", "1:1") == (1080, 1080)
    with pytest.raises(SpecError, match="Unknown resolution"):
        resolution_size("8k", "16:9")


def test_static_sim_profiles_agree_with_the_simulator() -> None:
    """The client's TOML and the simulator's catalog are separate on purpose; they must agree."""
    profiles = load_profiles()
    for model_id in ("sim-fast", "sim-pro"):
        profile, sim_model = profiles.get(model_id), MODELS[model_id]
        assert profile.durations == sim_model.durations
        assert set(profile.sizes) == set(sim_model.sizes)
        for size in profile.sizes:
            assert profile.price_per_second[size] == sim_model.price_per_second(size)
        assert profile.audio == sim_model.audio
        assert profile.frame_rate == render.FPS  # what the pre-screen expects of its clips


def test_openrouter_discovery_becomes_profiles() -> None:
    entry = openrouter_model_entry(MODELS["sim-motion"], 1_700_000_000)
    profile = profile_from_openrouter(entry)
    assert profile.durations == (2, 4, 6, 8)
    assert profile.resolutions == ("480p", "720p")
    assert profile.audio
    assert profile.seed
    assert profile.reference_image
    assert profile.price_per_second == {"default": 0.04, "480p": 0.04, "720p": 0.08}
    ok = RenderSpec(
        model="sim-motion", prompt="p", seconds=6, resolution="720p", aspect_ratio="1:1"
    )
    profile.validate(ok)
    assert profile.estimate_cost(ok) == pytest.approx(0.48)
    with pytest.raises(SpecError, match="allowed aspect ratios: 16:9, 9:16, 1:1"):
        profile.validate(
            RenderSpec(
                model="sim-motion", prompt="p", seconds=6, resolution="720p", aspect_ratio="4:3"
            )
        )
    with pytest.raises(ProfileFileError, match="no supported durations"):
        profile_from_openrouter({"id": "x"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id = 'm'\ndurations = [4]\n", "field 'sizes' must be given"),
        ("id = 'm'\ndurations = []\nsizes = ['1x1']\n", "field 'durations'"),
        ("id = 'm'\ndurations = [4]\nsizes = ['big']\n", "WIDTHxHEIGHT"),
        ("id = 'm'\ndurations = [4]\nsizes = ['640x360']\nremix = 'yes'\n", "'remix' must be"),
        ("durations = [4]\nsizes = ['640x360']\n", "field 'id'"),
        (
            "id = 'm'\ndurations = [4]\nsizes = ['640x360']\n[price_per_second]\nx = -1\n",
            "price_per_second",
        ),
        ("id = 'm\n", "not valid TOML"),
    ],
)
def test_bad_profile_files_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(ProfileFileError, match=message) as info:
        load_profile_file(path)
    assert "broken.toml" in str(info.value)


def test_the_content_hash_follows_spec_and_image_and_keys_are_per_submission() -> None:
    a = spec(reference=ReferenceImage(b"one"))
    assert a.content_hash() == spec(reference=ReferenceImage(b"one")).content_hash()
    same = spec(prompt=" a   fox ", reference=ReferenceImage(b"one"))
    assert a.content_hash() == same.content_hash()
    assert a.content_hash() != spec(reference=ReferenceImage(b"two")).content_hash()
    assert a.content_hash() != spec(seconds=8, reference=ReferenceImage(b"one")).content_hash()
    keys = {new_idempotency_key() for _ in range(100)}
    assert len(keys) == 100  # never derived from the content
    assert all(k.startswith("studio-") and len(k) == 39 for k in keys)
