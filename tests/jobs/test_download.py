"""What a download keeps: each variant's bytes must be what its name says."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import IO, Any

import pytest
from PIL import Image

from studio.jobs.clip_files import NotAVideo, save_variant


class Serves:
    """A provider whose download writes fixed bytes (only what save_variant calls)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    async def download(
        self, remote_id: str, variant: Any, dest: IO[bytes], *, max_bytes: int = 0
    ) -> None:
        dest.write(self.body)


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 9), (200, 40, 40)).save(out, fmt)
    return out.getvalue()


MP4_HEAD = b"\x00\x00\x00\x18ftypisom" + b"\x00" * 64


@pytest.mark.parametrize("variant", ["thumbnail", "spritesheet"])
def test_video_bytes_saved_as_an_image_are_refused(tmp_path: Path, variant: str) -> None:
    final = tmp_path / "clip" / f"{variant}.img"
    with pytest.raises(NotAVideo, match=f"The downloaded {variant} is not a WebP, JPEG or PNG"):
        asyncio.run(save_variant(Serves(MP4_HEAD), "video_1", variant, final))  # type: ignore[arg-type]
    assert not final.exists()
    assert list(final.parent.iterdir()) == []  # no .part left either


@pytest.mark.parametrize("fmt", ["WEBP", "JPEG", "PNG"])
def test_real_images_are_kept(tmp_path: Path, fmt: str) -> None:
    body = image_bytes(fmt)
    final = tmp_path / "thumbnail.webp"
    saved = asyncio.run(save_variant(Serves(body), "video_1", "thumbnail", final))  # type: ignore[arg-type]
    assert final.read_bytes() == body
    assert saved.size == len(body)
