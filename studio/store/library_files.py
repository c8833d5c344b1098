"""Files of the library that a person removes on purpose."""

from __future__ import annotations

import time
from pathlib import Path

from studio.store import Store


def delete_local_clips(
    store: Store, library: Path, job_ids: list[int], *, reviewer: str = ""
) -> int:
    """Delete the takes' local files (video, thumbnail, spritesheet). Rows, reviews and
    history stay; each deletion is recorded so nothing fetches the clip again. Returns how
    many takes had a file to delete."""
    removed = 0
    now = time.time()
    for job_id in job_ids:
        assets = store.assets.for_job(job_id)
        found = False
        for asset in assets.values():
            path = library / asset.path
            if path.is_file():
                path.unlink()
                found = True
        with store.db.write() as tx:
            for kind in set(assets) | {"video"}:
                store.assets.record_deletion(tx, job_id, kind, at=now, by=reviewer)
        removed += found
    return removed
