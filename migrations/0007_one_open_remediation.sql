-- One open (pending or executing) remediation request per finding, enforced by the database: two
-- Revoke… submissions at the same moment cannot both be recorded, executed, or take two slots of the
-- day's cap. A read before the write could not promise that.
CREATE UNIQUE INDEX remediation_requests_one_open ON remediation_requests (fingerprint) WHERE status IN ('pending', 'executing');
