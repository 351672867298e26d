-- 0731 the recommendations module's audit writers (catalogue v4, area Recommendations): the gateway
-- appends recommendation.changed and recommendation.opportunity_uploaded as bilet_gateway.
INSERT INTO audit.writer_kinds (writer, kind) VALUES
    ('bilet_gateway', 'recommendation.changed'),
    ('bilet_gateway', 'recommendation.opportunity_uploaded')
ON CONFLICT DO NOTHING;
