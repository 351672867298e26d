-- 0532 idle-in-transaction timeout for bilet_auditor
--
-- The read-only audit role of 0530 gets the same 30 s idle-in-transaction bound as every other
-- component role (0511, review finding L1), through 0511's function.
SELECT bilet_meta.require_idle_transaction_timeout('bilet_auditor');
