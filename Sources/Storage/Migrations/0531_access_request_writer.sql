-- 0531 access-request writer
--
-- The subject-access request register (0520) records `access_request.handled` as the vault; the
-- per-role allow-list of audit kinds (0510) gains that one pair, and nothing else.
INSERT INTO audit.writer_kinds (writer, kind) VALUES ('bilet_vault', 'access_request.handled')
ON CONFLICT DO NOTHING;
