-- 0911 checkpoint file writes (issue 15, fault "the checkpoint directory's disk full"): the
-- sequencer signs every checkpoint into the database first and then writes it to the checkpoint
-- directory. When that write fails (the directory's disk is full, its mount gone) the checkpoint
-- stays signed in the database and the sequencer writes the file again once it can; meanwhile
-- operators must see it. The sequencer runs in a process without a listener, so it leaves what
-- happened here, and the gateway's metrics read it through bilet_auditor
-- (bilet_audit_checkpoint_file_failures_total, bilet_audit_checkpoint_file_failing).
--
-- One row per failed attempt (at most one a second) and one when the files are written again,
-- with the newest checkpoint's sequence then. Append-only, like the rest of the audit schema:
-- bilet_audit may INSERT, bilet_auditor SELECT; no role updates or deletes.

CREATE TABLE audit.checkpoint_file_writes (
    sequence bigint NOT NULL CHECK (sequence >= 1),
    outcome text NOT NULL CHECK (outcome IN ('failed', 'written-again')),
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX checkpoint_file_writes_recorded_at ON audit.checkpoint_file_writes (recorded_at);

REVOKE ALL ON audit.checkpoint_file_writes FROM PUBLIC;
GRANT INSERT (sequence, outcome) ON audit.checkpoint_file_writes TO bilet_audit;
GRANT SELECT ON audit.checkpoint_file_writes TO bilet_auditor;
