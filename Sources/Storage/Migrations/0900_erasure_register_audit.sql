-- 0900 erasure register oversight: the vault appends erasure_register.read when the compliance
-- officer reads the erasure deadlines or the destruction register through the vault's door
-- (issue 14; audit catalogue v4). Only the vault's role may write it.
INSERT INTO audit.writer_kinds (writer, kind) VALUES ('bilet_vault', 'erasure_register.read') ON CONFLICT DO NOTHING;
