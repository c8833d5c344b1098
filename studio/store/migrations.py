"""Numbered schema migrations. Append only: a released step is never edited.

`PRAGMA user_version` holds the number of the last step applied. Each step runs in one
transaction with the version bump, so a crash mid-migration leaves the previous version.
"""

from __future__ import annotations

# Each take's shot: the root of its lineage, following revisions (parent) and retries.
SHOTS = """
    WITH RECURSIVE up(id, root) AS (
        SELECT id, id FROM jobs WHERE parent_id IS NULL AND retry_of IS NULL
        UNION ALL
        SELECT j.id, up.root FROM jobs j JOIN up ON COALESCE(j.parent_id, j.retry_of) = up.id
    )
    UPDATE jobs SET shot_id = COALESCE((SELECT root FROM up WHERE up.id = jobs.id), id);
"""

MIGRATIONS: list[str] = [
    # 1: the job queue, its transitions and the media it produced
    """
    CREATE TABLE batches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        project TEXT NOT NULL DEFAULT 'default',
        varied_slot TEXT,
        created_at REAL NOT NULL
    );
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER REFERENCES batches(id) ON DELETE SET NULL,
        parent_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        provider TEXT NOT NULL,
        project TEXT NOT NULL DEFAULT 'default',
        model TEXT NOT NULL,
        prompt TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        idem_key TEXT NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        queue_pos REAL NOT NULL,
        remote_id TEXT,
        progress INTEGER,
        failure_class TEXT,
        failure_code TEXT,
        failure_message TEXT,
        estimated_cost REAL,
        actual_cost REAL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        submitted_at REAL,
        remote_done_at REAL,
        finished_at REAL,
        expires_at REAL,
        deadline_at REAL
    );
    CREATE INDEX jobs_status ON jobs(status);
    CREATE INDEX jobs_queue ON jobs(status, priority DESC, queue_pos);
    CREATE INDEX jobs_remote ON jobs(provider, remote_id);
    CREATE INDEX jobs_batch ON jobs(batch_id);
    CREATE INDEX jobs_parent ON jobs(parent_id);
    CREATE TABLE job_events (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        at REAL NOT NULL,
        status TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX job_events_job ON job_events(job_id, at);
    CREATE TABLE assets (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        duration REAL,
        created_at REAL NOT NULL,
        UNIQUE (job_id, kind)
    );
    """,
    # 2: one live job per idempotency key; full-text search over prompts
    """
    CREATE UNIQUE INDEX jobs_idem_alive ON jobs(idem_key)
        WHERE status NOT IN ('failed', 'cancelled', 'expired');
    CREATE VIRTUAL TABLE prompt_fts USING fts5(prompt, content='jobs', content_rowid='id');
    INSERT INTO prompt_fts(rowid, prompt) SELECT id, prompt FROM jobs;
    CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO prompt_fts(rowid, prompt) VALUES (new.id, new.prompt);
    END;
    CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
        INSERT INTO prompt_fts(prompt_fts, rowid, prompt) VALUES ('delete', old.id, old.prompt);
    END;
    CREATE TRIGGER jobs_fts_update AFTER UPDATE OF prompt ON jobs BEGIN
        INSERT INTO prompt_fts(prompt_fts, rowid, prompt) VALUES ('delete', old.id, old.prompt);
        INSERT INTO prompt_fts(rowid, prompt) VALUES (new.id, new.prompt);
    END;
    """,
    # 3: budgets, and the review aggregates the next screens build on
    """
    CREATE TABLE budgets (
        scope TEXT NOT NULL CHECK (scope IN ('daily', 'project')),
        key TEXT NOT NULL,
        cap_usd REAL NOT NULL CHECK (cap_usd >= 0),
        PRIMARY KEY (scope, key)
    );
    CREATE TABLE budget_alerts (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        period TEXT NOT NULL,
        threshold INTEGER NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (scope, key, period, threshold)
    );
    CREATE TABLE templates (
        id INTEGER PRIMARY KEY,
        campaign TEXT NOT NULL,
        product TEXT NOT NULL,
        use_case TEXT NOT NULL,
        version INTEGER NOT NULL,
        slots_json TEXT NOT NULL,
        change_note TEXT NOT NULL DEFAULT '',
        known_good INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        UNIQUE (campaign, product, use_case, version)
    );
    CREATE TABLE rubrics (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        body_json TEXT NOT NULL,
        created_at REAL NOT NULL,
        UNIQUE (name, version)
    );
    CREATE TABLE scores (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        rubric_id INTEGER NOT NULL REFERENCES rubrics(id),
        criterion TEXT NOT NULL,
        score INTEGER NOT NULL,
        tags TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        decision TEXT NOT NULL CHECK (decision IN ('approve', 'edit', 'discard', 'undo')),
        escalate INTEGER NOT NULL DEFAULT 0,
        note TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL,
        rubric_id INTEGER REFERENCES rubrics(id),
        at REAL NOT NULL
    );
    CREATE INDEX scores_job ON scores(job_id);
    CREATE INDEX decisions_job ON decisions(job_id, at);
    """,
    # 4: a decision carries the scores and defect tags it was made with; tags on a take
    # while it is reviewed; favourites
    """
    ALTER TABLE decisions ADD COLUMN scores_json TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE decisions ADD COLUMN tags TEXT NOT NULL DEFAULT '';
    CREATE TABLE stars (
        job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        at REAL NOT NULL
    );
    CREATE TABLE take_tags (
        job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        tags TEXT NOT NULL,
        at REAL NOT NULL
    );
    """,
    # 5: the Idempotency-Key names one submission (a random key per job); what a render is
    # (parameters + fitted image) is a hash of its own, for the local double-submit guard.
    # Live rows keep their old, content-derived keys. Retries are linked apart from lineage;
    # a batch file's lines have an identity of their own.
    """
    ALTER TABLE jobs ADD COLUMN content_hash TEXT;
    ALTER TABLE jobs ADD COLUMN retry_of INTEGER REFERENCES jobs(id) ON DELETE SET NULL;
    ALTER TABLE jobs ADD COLUMN line_key TEXT;
    UPDATE jobs SET content_hash = idem_key;
    DROP INDEX jobs_idem_alive;
    CREATE UNIQUE INDEX jobs_idem_alive ON jobs(idem_key)
        WHERE status IN ('queued', 'submitting', 'submitted', 'running', 'downloading');
    CREATE INDEX jobs_content ON jobs(content_hash, created_at);
    CREATE INDEX jobs_retry_of ON jobs(retry_of);
    CREATE INDEX jobs_line ON jobs(line_key);
    CREATE TABLE asset_deletions (
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        at REAL NOT NULL,
        reviewer TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (job_id, kind)
    );
    """,
    # 6: every export of a take: where, when, by whom, with what checksum
    """
    CREATE TABLE exports (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        at REAL NOT NULL,
        reviewer TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX exports_job ON exports(job_id, at);
    """,
    # 7: defect tags as rows (facets and metrics count them); each take's review state in
    # one row (decision in force after undos, its reviewer, total score) for search and
    # facets; filled for existing takes by Store on first open (undos need replaying)
    """
    CREATE TABLE tags (
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (job_id, tag)
    ) WITHOUT ROWID;
    CREATE INDEX tags_tag ON tags(tag, job_id);
    WITH RECURSIVE split(job_id, tag, rest) AS (
        SELECT job_id, '', tags || ',' FROM take_tags
        UNION ALL
        SELECT job_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
        FROM split WHERE rest <> ''
    )
    INSERT OR IGNORE INTO tags (job_id, tag) SELECT job_id, tag FROM split WHERE tag <> '';
    DROP TABLE take_tags;
    CREATE TABLE take_state (
        job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        decision TEXT,
        reviewer TEXT,
        total INTEGER,
        decided_at REAL
    );
    CREATE INDEX take_state_decision ON take_state(decision);
    CREATE INDEX take_state_total ON take_state(total);
    """,
    # 8: every change to a budget cap with its time, so spend is compared with the cap
    # that applied then (the current caps stay in budgets)
    """
    CREATE TABLE budget_history (
        id INTEGER PRIMARY KEY,
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        cap_usd REAL,
        at REAL NOT NULL
    );
    INSERT INTO budget_history (scope, key, cap_usd, at) SELECT scope, key, cap_usd, 0 FROM budgets;
    """,
    # 9: whether each clip carries C2PA provenance (read when downloaded or imported)
    """
    CREATE TABLE provenance (
        job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        state TEXT NOT NULL CHECK (state IN ('none', 'present', 'damaged')),
        detail_json TEXT NOT NULL
    );
    """,
    # 10: every take names its shot (the root of its lineage: revisions, remixes and
    # retries share it) and the template it was made from, if any
    f"""
    ALTER TABLE jobs ADD COLUMN template_id INTEGER REFERENCES templates(id) ON DELETE SET NULL;
    ALTER TABLE jobs ADD COLUMN shot_id INTEGER;
    {SHOTS}
    CREATE INDEX jobs_shot ON jobs(shot_id);
    CREATE INDEX jobs_template ON jobs(template_id);
    """,
    # 11: searches a person named and kept (the Library menu)
    """
    CREATE TABLE saved_searches (
        name TEXT PRIMARY KEY,
        query TEXT NOT NULL,
        at REAL NOT NULL
    );
    """,
    # 12: each engine holds a lease (holder, host, pid, heartbeat) and the jobs it sends,
    # polls and downloads name it, so no engine touches another live engine's jobs; a job
    # says where it was queued from (empty: the window; else the command); other processes'
    # changes are found by when they were made
    """
    CREATE TABLE engine_leases (
        id INTEGER PRIMARY KEY,
        holder TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        provider TEXT NOT NULL,
        started_at REAL NOT NULL,
        heartbeat_at REAL NOT NULL,
        ended_at REAL,
        state TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL DEFAULT ''
    );
    ALTER TABLE jobs ADD COLUMN lease_id INTEGER;
    ALTER TABLE jobs ADD COLUMN origin TEXT NOT NULL DEFAULT '';
    CREATE INDEX jobs_lease ON jobs(lease_id) WHERE lease_id IS NOT NULL;
    CREATE INDEX jobs_updated ON jobs(updated_at);
    """,
    # 13: a take whose clip does not decode to its stated length says why ("44 of 96
    # frames decode"): imported as damaged, shown in the Library, found by `is:damaged`;
    # NULL for a whole clip
    """
    ALTER TABLE jobs ADD COLUMN damage TEXT;
    CREATE INDEX jobs_damaged ON jobs(id) WHERE damage IS NOT NULL;
    """,
    # 14: what a take is, kept across libraries. The library has an id, made once here, and
    # a name (filled in by Store on first open); a take or batch imported from another
    # library keeps its origin there (library id, its name, its number) and when it came.
    # take_state holds the whole review state by the one rule (studio.core.take_state):
    # the decision in force by id, the scores in force, their total out of what, under
    # which rubric version; emptied here so Store rebuilds every row by that rule.
    """
    CREATE TABLE library (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        id TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL
    );
    INSERT INTO library (one, id, name, created_at)
        VALUES (1, lower(hex(randomblob(16))), '', (julianday('now') - 2440587.5) * 86400.0);
    ALTER TABLE jobs ADD COLUMN origin_library TEXT;
    ALTER TABLE jobs ADD COLUMN origin_name TEXT;
    ALTER TABLE jobs ADD COLUMN origin_take INTEGER;
    ALTER TABLE jobs ADD COLUMN imported_at REAL;
    UPDATE jobs SET imported_at = created_at WHERE provider = 'import';
    CREATE INDEX jobs_origin ON jobs(origin_library, origin_take)
        WHERE origin_library IS NOT NULL;
    ALTER TABLE batches ADD COLUMN origin_library TEXT;
    ALTER TABLE batches ADD COLUMN origin_batch INTEGER;
    CREATE INDEX batches_origin ON batches(origin_library, origin_batch)
        WHERE origin_library IS NOT NULL;
    ALTER TABLE take_state ADD COLUMN decision_id INTEGER;
    ALTER TABLE take_state ADD COLUMN scores_json TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE take_state ADD COLUMN rubric_id INTEGER;
    ALTER TABLE take_state ADD COLUMN max_total INTEGER;
    ALTER TABLE take_state ADD COLUMN complete INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE take_state ADD COLUMN passes INTEGER NOT NULL DEFAULT 0;
    DELETE FROM take_state;
    """,
    # 15: learned names a person said are not names ("Not a name" on a linter warning), per
    # template: the linter no longer flags them in prompts from any version of it
    """
    CREATE TABLE not_names (
        template_id INTEGER NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        term TEXT NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (template_id, term)
    );
    """,
    # 16: notes on the frame (studio.core.notes): text and a drawing (JSON, the sidecar's form)
    # on a frame or a range of a take, counted at the clip's fps; an edit stamps edited_at,
    # a deletion deleted_at (kept, so a re-import does not bring a deleted note back). They
    # stay when the take's clip is deleted, and go only with the take's row.
    """
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        frame INTEGER NOT NULL CHECK (frame >= 0),
        end_frame INTEGER CHECK (end_frame IS NULL OR end_frame > frame),
        fps REAL NOT NULL CHECK (fps > 0),
        text TEXT NOT NULL,
        drawing_json TEXT NOT NULL DEFAULT '[]',
        author TEXT NOT NULL,
        created_at REAL NOT NULL,
        edited_at REAL,
        deleted_at REAL
    );
    CREATE INDEX notes_job ON notes(job_id, frame);
    """,
    # 17: blind pairwise ranking (studio.review.ranking). comparisons: two takes as shown
    # (left, right), the choice, who chose and when; an undo marks a comparison taken back
    # (when, by whom) and keeps it. take_rank: each compared take's place among the takes
    # its comparisons join (its group, named by its lowest take number), written by the
    # operation that changed the group, so the Library sorts by rank without a fit
    """
    CREATE TABLE comparisons (
        id INTEGER PRIMARY KEY,
        left_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        right_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        choice TEXT NOT NULL CHECK (choice IN ('left', 'right', 'tie')),
        reviewer TEXT NOT NULL,
        at REAL NOT NULL,
        undone_at REAL,
        undone_by TEXT,
        CHECK (left_id <> right_id)
    );
    CREATE INDEX comparisons_left ON comparisons(left_id);
    CREATE INDEX comparisons_right ON comparisons(right_id);
    CREATE TABLE take_rank (
        job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        group_id INTEGER NOT NULL,
        rank INTEGER NOT NULL,
        takes INTEGER NOT NULL,
        strength REAL NOT NULL,
        low REAL NOT NULL,
        high REAL NOT NULL,
        p_top REAL NOT NULL,
        comparisons INTEGER NOT NULL,
        settled INTEGER NOT NULL
    );
    CREATE INDEX take_rank_group ON take_rank(group_id);
    """,
    # 18: the machine pre-screen. Each take's last screening: of which bytes (the clip's
    # sha256: a clip replaced since is screened again), under which thresholds, when, and
    # what the clip measured; and its flags, each with its stretch (seconds and frames) and
    # the measurement against its threshold (a number, or a size such as "1280x720": no
    # column type, so SQLite keeps either as given). Takes without a row are screened on
    # the next start.
    """
    CREATE TABLE screenings (
        job_id INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
        sha256 TEXT NOT NULL,
        thresholds TEXT NOT NULL,
        screened_at REAL NOT NULL,
        measured_json TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE flags (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES screenings(job_id) ON DELETE CASCADE,
        check_name TEXT NOT NULL,
        start_s REAL NOT NULL,
        end_s REAL NOT NULL,
        first_frame INTEGER NOT NULL,
        last_frame INTEGER NOT NULL,
        measured,
        threshold,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX flags_job ON flags(job_id, start_s);
    CREATE INDEX flags_check ON flags(check_name, job_id);
    """,
    # 19: linter hints from defect tags that a person dismissed for a template ("Dismiss for
    # this template"): the tag, the slot and the value it came with (the slot's text folded,
    # "preset:<id>" for a preset, "" for the template as a whole) are no longer hinted in
    # prompts from any version of that template
    """
    CREATE TABLE hint_dismissals (
        template_id INTEGER NOT NULL REFERENCES templates(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        slot TEXT NOT NULL,
        value TEXT NOT NULL,
        at REAL NOT NULL,
        PRIMARY KEY (template_id, tag, slot, value)
    );
    """,
]

LATEST = len(MIGRATIONS)
