-- Where each run's evidence is, and its manifest hash: the next run's manifest links to it (the chain).
ALTER TABLE runs ADD COLUMN evidence_prefix TEXT;
ALTER TABLE runs ADD COLUMN evidence_manifest_sha256 TEXT;
