-- 0003 vault.subjects
--
-- Baseline vault table: one row per data subject. Personal data itself arrives in later
-- migrations (encrypted fields keyed by subject). Only bilet_vault may read or write it; TRUNCATE
-- is never granted.
CREATE TABLE vault.subjects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT, UPDATE, DELETE ON vault.subjects TO bilet_vault;
