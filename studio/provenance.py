"""Does a clip carry C2PA provenance? Read with the maintained `c2pa-python` package
(`Reader`) when a clip is downloaded or imported, kept in the library, shown beside the
player and written into the export sidecar. Reading never changes the file.

    none     no manifest in the file
    present  a manifest: claim generator, signer, actions, validation state (Valid,
             Trusted, or Invalid when the content no longer matches what was signed)
    damaged  a manifest is there but cannot be read
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studio.store import Store, Transaction

MIME = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime"}


def read(path: Path) -> dict[str, Any]:
    """The clip's provenance as the sidecar records it (see the module docstring)."""
    import c2pa  # loaded when a clip is checked, not at start-up

    try:
        with c2pa.Reader(str(path)) as reader:
            state = str(reader.get_validation_state())
            data = json.loads(reader.json())
    except c2pa.C2paError as err:
        if "ManifestNotFound" in type(err).__name__ or "no JUMBF" in str(err):
            return {"c2pa": "none"}
        return {"c2pa": "damaged", "problem": str(err)[:300]}
    manifest = data.get("manifests", {}).get(data.get("active_manifest") or "", {})
    generator = manifest.get("claim_generator") or ", ".join(
        f"{g.get('name', '')} {g.get('version', '')}".strip()
        for g in manifest.get("claim_generator_info") or []
    )
    signature = manifest.get("signature_info") or {}
    actions = [
        str(action.get("action"))
        for assertion in manifest.get("assertions") or []
        if str(assertion.get("label", "")).startswith("c2pa.actions")
        for action in (assertion.get("data") or {}).get("actions") or []
    ]
    return {
        "c2pa": "present",
        "claim_generator": generator or None,
        "signer": signature.get("issuer") or signature.get("common_name"),
        "actions": actions,
        "validation_state": state,
        "validation_status": [s.get("code") for s in data.get("validation_status") or []],
    }


def record(tx: Transaction, job_id: int, provenance: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO provenance (job_id, state, detail_json) VALUES (?, ?, ?) "
        "ON CONFLICT (job_id) DO UPDATE SET state = excluded.state, "
        "detail_json = excluded.detail_json",
        (job_id, provenance["c2pa"], json.dumps(provenance)),
    )


def recorded(store: Store, job_id: int) -> dict[str, Any] | None:
    row = store.db.query_one("SELECT detail_json FROM provenance WHERE job_id = ?", (job_id,))
    return json.loads(row[0]) if row else None


def summary(provenance: dict[str, Any] | None) -> str:
    """One line for the review: what a reviewer needs to know at a glance."""
    if provenance is None:
        return "Provenance: not read yet"
    state = provenance["c2pa"]
    if state == "none":
        return "Provenance: no C2PA manifest"
    if state == "damaged":
        return "Provenance: C2PA manifest damaged — " + str(provenance.get("problem", ""))
    who = provenance.get("signer") or "unknown signer"
    what = ", ".join(a.removeprefix("c2pa.") for a in provenance.get("actions") or []) or "—"
    return (
        f"Provenance: C2PA {provenance.get('validation_state', '?')}, signed by {who} "
        f"({provenance.get('claim_generator') or 'unknown tool'}); actions: {what}"
    )
