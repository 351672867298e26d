-- 0600 vault pupil duplicates: the duplicate register a region's coordinator resolves, shared
-- SNILS indexes for flagged duplicates, and the paper consent's reference number.
--
-- Security review M6: a school registering a pupil must not learn whether a child with the same
-- SNILS, or the same normalised surname, first name and birth date, is registered at another
-- school. Such a registration is answered like any other: the new record is registered, flagged,
-- and a case opened here for the coordinator of the region(s) concerned, who sees schools and the
-- case reference only, never names. A match at the registering school itself is refused (the
-- school may know its own pupils).
--
-- * vault.duplicate_cases: one row per case: the new record and the one it matched (subject ids,
--   never values), which blind index matched, the schools and regions concerned (registry codes),
--   open or resolved (same person, or different people) and by whom.
-- * vault.blind_indexes.shared: a flagged registration's SNILS index row is marked shared, so the
--   one-live-subject-per-SNILS index (0200) still holds for every unflagged row while a flagged
--   duplicate keeps its own SNILS lookup for its school.
-- * vault.consents.paper_reference: the number written on a signed paper form, so a paper
--   consent can be recorded at registration before its scan is uploaded.
--
-- bilet_vault may SELECT, INSERT and UPDATE (resolve) cases, never DELETE: the register is the
-- record of what was matched. The vault appends the two new audit types.

CREATE TABLE vault.duplicate_cases (
    id uuid PRIMARY KEY,
    reference text NOT NULL UNIQUE,
    subject_id uuid NOT NULL REFERENCES vault.subjects (id),
    matched_subject_id uuid NOT NULL REFERENCES vault.subjects (id),
    matched_on text NOT NULL CHECK (matched_on IN ('snils', 'name_birth_date')),
    schools text[] NOT NULL CHECK (cardinality(schools) = 2),
    regions text[] NOT NULL CHECK (cardinality(regions) >= 1),
    status text NOT NULL CHECK (status IN ('open', 'same', 'different')),
    opened_by text NOT NULL,
    opened_at timestamptz NOT NULL DEFAULT now(),
    resolved_by text,
    resolved_at timestamptz,
    CHECK ((status = 'open') = (resolved_at IS NULL)),
    CHECK ((resolved_at IS NULL) = (resolved_by IS NULL)),
    CHECK (subject_id <> matched_subject_id)
);
CREATE INDEX duplicate_cases_open ON vault.duplicate_cases USING gin (regions) WHERE status = 'open';

GRANT SELECT, INSERT, UPDATE ON vault.duplicate_cases TO bilet_vault;

ALTER TABLE vault.blind_indexes ADD COLUMN shared boolean NOT NULL DEFAULT false;
DROP INDEX vault.blind_indexes_one_snils;
CREATE UNIQUE INDEX blind_indexes_one_snils ON vault.blind_indexes (digest) WHERE kind = 'snils' AND NOT shared;

ALTER TABLE vault.consents ADD COLUMN paper_reference text
    CHECK (paper_reference IS NULL OR (length(paper_reference) BETWEEN 1 AND 64 AND paper_reference !~ '[[:cntrl:]]'));

INSERT INTO audit.writer_kinds (writer, kind) VALUES
    ('bilet_vault', 'pupil.duplicate_probed'),
    ('bilet_vault', 'duplicate.handled')
ON CONFLICT DO NOTHING;
