"""`studio generate` end to end (a real process, the in-process simulator) and its bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import av
import pytest

from studio.sim import framecode
from studio.sim.server import SimServer
from tests.helpers import png_bytes


def studio(
    *args: str, env: dict[str, str] | None = None, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        check=False,
    )


def one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("studio: error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_generate_renders_a_real_clip(tmp_path: Path) -> None:
    out = tmp_path / "clips" / "fox.mp4"
    result = studio(
        "generate",
        "--prompt",
        "A red fox trots through fresh snow",
        "--model",
        "sim-fast",
        "--seconds",
        "4",
        "--size",
        "1280x720",
        "--out",
        str(out),
        "--sim-render-seconds",
        "1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out.resolve())
    assert "estimated cost $0.40" in result.stderr
    assert "#1: ready 100%" in result.stderr
    assert "#1 is in the library, cost $0.40" in result.stderr  # recorded like the app's
    assert not out.with_name("fox.mp4.part").exists()
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (1280, 720)
        frames = [framecode.read(f.to_ndarray(format="rgb24")) for f in container.decode(stream)]
    assert frames == list(range(96))


def test_generate_with_reference_image_against_a_running_simulator(
    tmp_path: Path, sim: SimServer
) -> None:
    image = tmp_path / "ref.png"
    image.write_bytes(png_bytes(300, 300))
    out = tmp_path / "ref.mp4"
    result = studio(
        "generate",
        "--prompt",
        "product turntable",
        "--size",
        "640x360",
        "--image",
        str(image),
        "--fit",
        "pad",
        "--out",
        str(out),
        "--provider",
        "sim",
        "--base-url",
        sim.openai_base_url,
    )
    assert result.returncode == 0, result.stderr
    (job,) = sim.state.jobs.values()
    assert job.has_reference
    assert out.stat().st_size > 1000


def test_generate_against_openrouter_shape(tmp_path: Path, sim: SimServer) -> None:
    out = tmp_path / "or.mp4"
    result = studio(
        "generate",
        "--prompt",
        "waves",
        "--provider",
        "openrouter",
        "--base-url",
        sim.openrouter_base_url,
        "--model",
        "sim-motion",
        "--seconds",
        "2",
        "--resolution",
        "480p",
        "--aspect",
        "1:1",
        "--out",
        str(out),
        env={"STUDIO_API_KEY": sim.api_key},
    )
    assert result.returncode == 0, result.stderr
    assert "cost $0.08" in result.stderr
    assert out.read_bytes()[4:8] == b"ftyp"


def test_moderated_prompt_fails_as_policy(tmp_path: Path, sim: SimServer) -> None:
    result = studio(
        "generate",
        "--prompt",
        "Taylor Swift on stage",
        "--size",
        "640x360",
        "--out",
        str(tmp_path / "x.mp4"),
        "--provider",
        "sim",
        "--base-url",
        sim.openai_base_url,
    )
    assert result.returncode == 1
    assert "#1 ended failed (policy): Your request was blocked" in one_clear_line(result)
    assert not (tmp_path / "x.mp4").exists()


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (
            ["--base-url", "https://exa mple.com/v1", "--provider", "openai"],
            {},
            2,
            "contains a space",
        ),
        (
            ["--base-url", "ftp://example.com/v1", "--provider", "openai"],
            {},
            2,
            "must start with https://",
        ),
        (
            ["--base-url", "http://example.com/v1", "--provider", "openai"],
            {},
            2,
            "is not encrypted: use https://",
        ),
        (["--model", "sora-3"], {}, 2, "Unknown model 'sora-3'; known models: sim-fast"),
        (["--model", "sim-fast", "--seconds", "5"], {}, 2, "allowed durations: 4 s, 8 s, 12 s"),
        (
            ["--model", "sim-fast", "--size", "1920x1080"],
            {},
            2,
            "allowed sizes: 640x360, 360x640, 1280x720, 720x1280",
        ),
        (["--provider", "openai"], {}, 2, "No API key for openai"),
        (["--image", "/nonexistent.png"], {}, 2, "Cannot read nonexistent.png"),
    ],
)
def test_bad_input_is_one_clear_line(
    tmp_path: Path, args: list[str], env: dict[str, str], code: int, message: str
) -> None:
    result = studio(
        "generate", "--prompt", "a fox", "--out", str(tmp_path / "o.mp4"), *args, env=env
    )
    assert result.returncode == code, result.stderr
    assert message in one_clear_line(result)


def test_empty_prompt(tmp_path: Path) -> None:
    result = studio("generate", "--prompt", "  ", "--out", str(tmp_path / "o.mp4"))
    assert result.returncode == 2
    assert "prompt is empty" in one_clear_line(result)


def test_network_down(tmp_path: Path, refusing_port: int) -> None:
    result = studio(
        "generate",
        "--prompt",
        "a fox",
        "--out",
        str(tmp_path / "o.mp4"),
        "--provider",
        "openai",
        "--model",
        "sim-fast",
        "--base-url",
        f"http://127.0.0.1:{refusing_port}/v1",
        env={"STUDIO_API_KEY": "sk-test"},
    )
    assert result.returncode == 3
    line = one_clear_line(result)
    assert "Cannot reach" in line
    assert "sk-test" not in result.stderr


def test_models_lists_allowed_values() -> None:
    result = studio("models")
    assert result.returncode == 0, result.stderr
    assert "sim-fast" in result.stdout
    assert "1280x720 $0.10/s" in result.stdout


def test_no_display_says_how_to_run() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = subprocess.run(
        [sys.executable, "-m", "studio"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "xvfb-run" in result.stderr
    assert "studio generate" in result.stderr
