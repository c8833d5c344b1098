"""C2PA provenance, read with c2pa-python: a signed clip imported and exported keeps its
manifest byte for byte and is recorded as present (library and sidecar); an unsigned clip
is none; a clip whose manifest is corrupted is damaged. Signed with the public ES256 test
certificate from c2pa-python's own fixtures (tests/fixtures/c2pa/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import c2pa
import pytest

from studio import provenance
from studio.export import export_takes, takes_to_export
from studio.export.importer import import_folder
from studio.sim.render import ClipRequest, render_clip
from studio.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "c2pa"
MANIFEST = {
    "claim_generator": "studio-tests/1.0",
    "title": "kite",
    "assertions": [
        {
            "label": "c2pa.actions",
            "data": {"actions": [{"action": "c2pa.created", "digitalSourceType":
                "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"}]},
        }
    ],
}  # fmt: skip


def clip(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    render_clip(ClipRequest(prompt=name, width=320, height=180, seconds=1, take=name), folder)
    path = folder / f"{name}.mp4"
    (folder / "video.mp4").rename(path)
    for extra in ("thumbnail.webp", "spritesheet.jpg"):
        (folder / extra).unlink()
    return path


def sign(source: Path, dest: Path) -> Path:
    info = c2pa.C2paSignerInfo(
        alg=b"es256",
        sign_cert=(FIXTURES / "es256_certs.pem").read_bytes(),
        private_key=(FIXTURES / "es256_private.key").read_bytes(),
        ta_url=None,
    )
    signer = c2pa.Signer.from_info(info)
    with (
        c2pa.Builder(json.dumps(MANIFEST)) as builder,
        source.open("rb") as src,
        dest.open("wb") as out,
    ):
        builder.sign(signer, "video/mp4", src, out)
    source.unlink()
    return dest


@pytest.fixture
def drop(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "drop"
    plain = clip(folder, "plain")
    signed = sign(clip(tmp_path / "raw", "kite"), folder / "signed.mp4")
    data = bytearray(sign(clip(tmp_path / "raw2", "owl"), tmp_path / "owl-signed.mp4").read_bytes())
    at = data.find(b"c2pa")
    data[at + 200] ^= 0xFF  # inside the manifest store
    data[at + 300] ^= 0xFF
    damaged = folder / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    return {"plain": plain, "signed": signed, "damaged": damaged}


def test_each_state_is_read(drop: dict[str, Path]) -> None:
    assert provenance.read(drop["plain"]) == {"c2pa": "none"}
    signed = provenance.read(drop["signed"])
    assert signed["c2pa"] == "present"
    assert signed["signer"] == "C2PA Test Signing Cert"
    assert signed["actions"] == ["c2pa.created"]
    assert signed["validation_state"] in ("Valid", "Trusted")
    damaged = provenance.read(drop["damaged"])
    assert damaged["c2pa"] == "damaged"
    assert damaged["problem"]
    assert "C2PA Valid, signed by C2PA Test Signing Cert" in provenance.summary(signed)


def test_a_signed_clip_keeps_its_manifest_through_import_and_export(
    drop: dict[str, Path], tmp_path: Path
) -> None:
    store = Store(tmp_path / "lib" / "studio.db")
    try:
        library = tmp_path / "lib" / "library"
        report = import_folder(store, library, drop["signed"].parent)
        states = {
            store.jobs.get(i).prompt: provenance.recorded(store, i)["c2pa"]  # type: ignore[union-attr,index]
            for i in report.added
        }
        assert states == {"plain": "none", "signed": "present", "damaged": "damaged"}
        signed_id = next(i for i in report.added if store.jobs.get(i).prompt == "signed")  # type: ignore[union-attr]
        store.verdicts.decide(signed_id, "approve", reviewer="ana", at=1.0)
        out = tmp_path / "out"
        export = export_takes(store, library, takes_to_export(store), out)
        (name,) = export.written
        assert (out / name).read_bytes() == drop["signed"].read_bytes()  # byte for byte
        side = json.loads((out / name.replace(".mp4", ".json")).read_text())
        assert side["provenance"]["c2pa"] == "present"
        assert side["provenance"]["signer"] == "C2PA Test Signing Cert"
        assert provenance.read(out / name)["c2pa"] == "present"  # still readable there
    finally:
        store.close()
