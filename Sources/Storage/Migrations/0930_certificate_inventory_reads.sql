-- 0930 the security administrator's certificate inventory over the gateway (issue 14): the CA
-- process answers the listing over its socket and appends certificate.listed (catalogue v4) as
-- bilet_ca; the per-role allow-list of audit kinds (0510) gains that one pair, and nothing else.
INSERT INTO audit.writer_kinds (writer, kind) VALUES ('bilet_ca', 'certificate.listed')
ON CONFLICT DO NOTHING;
