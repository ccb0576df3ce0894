// The audit's `kind` column is checked against the kinds its schema version knows. A migration that
// adds kinds widens the check: PostgreSQL replaces the constraint; SQLite, which cannot alter a CHECK,
// rebuilds the table. Each migration names the last kind it knows (AUDIT_KINDS only grows at its end).
import { AUDIT_KINDS, type AuditKind } from './types';

/** The kinds up to and including `last`, in their order. */
function kindsThrough(last: AuditKind): string {
  const end = AUDIT_KINDS.indexOf(last);
  return AUDIT_KINDS.slice(0, end + 1)
    .map((kind) => `'${kind}'`)
    .join(', ');
}

/** SQLite: rebuilds `audit` (keeping its rows, ids and index) with the kinds up to `last`. */
export function sqliteAuditKindsThrough(last: AuditKind, version: number): string {
  const old = `audit_v${version}`;
  return `
  DROP INDEX audit_tenant;
  ALTER TABLE audit RENAME TO ${old};
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN (${kindsThrough(last)})),
    actor_id TEXT,
    subject_id TEXT,
    token_id TEXT,
    page TEXT,
    chat_id TEXT,
    comment_id TEXT,
    seq INTEGER,
    detail TEXT NOT NULL
  );
  INSERT INTO audit SELECT * FROM ${old};
  DROP TABLE ${old};
  CREATE INDEX audit_tenant ON audit(tenant_id, id);
`;
}

/** PostgreSQL: the `audit` kind check, widened to the kinds up to `last`. */
export function postgresAuditKindsThrough(last: AuditKind): string {
  return `
  ALTER TABLE audit DROP CONSTRAINT audit_kind_check;
  ALTER TABLE audit ADD CONSTRAINT audit_kind_check CHECK (kind IN (${kindsThrough(last)}));
`;
}
