-- 0001 component roles
--
-- One LOGIN role per component (ARCHITECTURE.md, invariant 3: least privilege in the database).
-- Each component connects as its own role and gets only the grants later migrations give it.
--
-- Roles are cluster-wide, so several databases of one cluster may run this at the same moment
-- (parallel tests, two deployments): each CREATE ROLE tolerates duplicate_object and
-- unique_violation raised by a concurrent creator. Roles get no password here; how they
-- authenticate is the cluster's pg_hba.conf business. A pre-existing role with more power than a
-- component needs is refused rather than silently used.
DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY[
        'bilet_vault', 'bilet_audit', 'bilet_policy', 'bilet_identity', 'bilet_ca',
        'bilet_gateway', 'bilet_assessment', 'bilet_trials', 'bilet_recommendations'
    ] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
            BEGIN
                EXECUTE format(
                    'CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS',
                    role_name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- created at the same moment by a migration in another database
            END;
        END IF;
    END LOOP;

    IF EXISTS (
        SELECT FROM pg_catalog.pg_roles
        WHERE rolname LIKE 'bilet\_%'
          AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls)
    ) THEN
        RAISE EXCEPTION 'a bilet_* component role has superuser, createrole, createdb, replication or bypassrls'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;

-- Nobody but the migrating administrator creates objects in this database: not in the public
-- schema, not as temporary tables.
REVOKE ALL ON SCHEMA public FROM PUBLIC;

DO $$
BEGIN
    EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;
