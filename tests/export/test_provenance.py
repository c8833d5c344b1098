"""C2PA provenance, read with c2pa-python: a signed clip imported and exported keeps its
manifest byte for byte and is recorded as present (library and sidecar); an unsigned clip
is none; a clip whose manifest is corrupted is damaged. A signer is called trusted only
when c2pa says so; what is stored is bounded and shows no control characters. Signed with
the public ES256 test certificate from c2pa-python's own fixtures
(tests/fixtures/c2pa/README.md), which is on no trust list unless a test gives it one."""

from __future__ import annotations

import json
from pathlib import Path

import c2pa
import pytest

from studio.export import export_takes, takes_to_export
from studio.export.importer import import_folder
from studio.media import provenance
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


def sign(source: Path, dest: Path, manifest: dict[str, object] = MANIFEST) -> Path:
    info = c2pa.C2paSignerInfo(
        alg=b"es256",
        sign_cert=(FIXTURES / "es256_certs.pem").read_bytes(),
        private_key=(FIXTURES / "es256_private.key").read_bytes(),
        ta_url=None,
    )
    signer = c2pa.Signer.from_info(info)
    with (
        c2pa.Builder(json.dumps(manifest)) as builder,
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
    assert signed["validation_status"] == [provenance.UNTRUSTED]
    assert "C2PA signed, signer not trusted — C2PA Test Signing Cert" in provenance.summary(signed)
    assert "Valid" not in provenance.summary(signed)


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


def test_a_signer_is_trusted_only_when_c2pa_says_so(drop: dict[str, Path], tmp_path: Path) -> None:
    untrusted = provenance.read(drop["signed"])
    assert provenance.signature(untrusted) == "signed, signer not trusted"
    anchors = (FIXTURES / "es256_certs.pem").read_text()  # the test signer's own chain
    trusted = provenance.read(drop["signed"], trust_anchors=anchors)
    assert trusted["validation_state"] == "Trusted"
    assert "C2PA signed, signer trusted — C2PA Test Signing Cert" in provenance.summary(trusted)
    changed = bytearray(drop["signed"].read_bytes())
    changed[changed.find(b"mdat") + 100] ^= 0xFF  # the picture, after signing
    (tmp_path / "changed.mp4").write_bytes(bytes(changed))
    invalid = provenance.read(tmp_path / "changed.mp4", trust_anchors=anchors)
    assert invalid["validation_state"] == "Invalid"
    assert "C2PA invalid (content changed since it was signed)" in provenance.summary(invalid)


@pytest.mark.parametrize(
    ("state", "codes", "said"),
    [
        ("Trusted", [], "signed, signer trusted"),
        ("Valid", ["signingCredential.untrusted"], "signed, signer not trusted"),
        ("Valid", [], "signed, signer not trusted"),  # trust was not established
        ("Trusted", ["signingCredential.revoked"], "invalid (signingCredential.revoked)"),
        ("Invalid", ["signingCredential.untrusted", "assertion.dataHash.mismatch"],
         "invalid (content changed since it was signed)"),
        ("Invalid", [], "invalid (no reason given)"),
    ],
)  # fmt: skip
def test_validation_results_map_to_words(state: str, codes: list[str], said: str) -> None:
    found = {"c2pa": "present", "validation_state": state, "validation_status": codes}
    assert provenance.signature(found) == said


def test_a_20000_action_manifest_is_stored_bounded_with_controls_escaped(
    tmp_path: Path,
) -> None:
    manifest = {
        "claim_generator_info": [{"name": "tool\x1b]0;owned\x07", "version": "1.0\u202e"}],
        "title": "storm",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [MANIFEST["assertions"][0]["data"]["actions"][0]]  # type: ignore[index]
                    + [{"action": "c2pa.edited\x1b[2J"}] * 19_999
                },
            }
        ],
    }
    drop = tmp_path / "drop"
    drop.mkdir()
    sign(clip(tmp_path / "raw", "storm"), drop / "storm.mp4", manifest)
    store = Store(tmp_path / "lib" / "studio.db")
    try:
        (take,) = import_folder(store, tmp_path / "lib" / "library", drop).added
        (raw,) = store.db.query_one(  # type: ignore[misc]
            "SELECT detail_json FROM provenance WHERE job_id = ?", (take,)
        )
        found = provenance.recorded(store, take)
    finally:
        store.close()
    assert len(raw) <= provenance.MAX_STORED_BYTES  # it was 300 KB
    assert found is not None
    assert found["actions_total"] == 20_000
    assert 100 < len(found["actions"]) < 20_000
    assert found["cut"].startswith(f"kept {len(found['actions'])} of 20000 actions")
    assert found["validation_status"] == [provenance.UNTRUSTED]  # the codes are kept whole
    texts = [found["claim_generator"], *found["actions"], found["cut"]]
    assert not [t for t in texts if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in t)]
    assert not [t for t in texts if "\u202e" in t]
    assert "tool\\u001b]0;owned\\u0007" in found["claim_generator"]  # visible, not acted on
    assert "edited\\u001b[2J" in found["actions"][1]
    line = provenance.summary(found)
    assert "(20000 in all)" in line
    assert len(line) < 1000
    assert "signed, signer not trusted" in line


def test_any_provenance_is_bounded() -> None:
    huge = {
        "c2pa": "present",
        "validation_state": "Valid",
        "signer": "x" * 10_000,
        "extra": {"nested": ["y" * 1000] * 1000},  # not our shape at all
    }
    kept = provenance.bounded(huge)
    assert len(json.dumps(kept)) <= provenance.MAX_STORED_BYTES
    assert kept["c2pa"] == "present"
    assert "kept only its state" in kept["cut"]
    assert provenance.bounded({"c2pa": "none"}) == {"c2pa": "none"}
