-- 0701 assessment audit writers (issue #11): the gateway's assessment routes append
-- assessment.test_changed (a methodologist uploaded or published a test version) and
-- assessment.assigned (a navigator assigned a test to a pupil) as bilet_gateway; the module's
-- own role (bilet_assessment) never writes the audit log. Catalogue v4, AuditCatalogue+Assessment;
-- WriterBindingTests keeps the database equal to the catalogue.
INSERT INTO audit.writer_kinds (writer, kind) VALUES
    ('bilet_gateway', 'assessment.test_changed'),
    ('bilet_gateway', 'assessment.assigned')
ON CONFLICT DO NOTHING;
