import Foundation
import PostgresNIO

/// The PostgreSQL schema: the embedded database's tables, column for column (names fold to
/// lower case), plus what a deployment of several nodes shares that the embedded vault keeps in
/// files: the sealed blobs as chunked rows, the key ring sealed under the root key, and the
/// audit chain's head row that every node's batch locks.
enum PostgresSchema {
    /// An arbitrary constant for `pg_advisory_xact_lock`: nodes starting at the same time run
    /// the migrations one after another, and each later one finds nothing left to do.
    static let migrationLock: Int64 = 0x4C4F_434B_4552_0001
    /// The advisory lock one rewrap holds across the deployment.
    static let rewrapLock: Int64 = 0x4C4F_434B_4552_0002

    static let migrations: [(version: Int, sql: [String])] = [
        (1, [
            """
            CREATE TABLE citizens (
                id TEXT PRIMARY KEY, mobileHash BYTEA NOT NULL UNIQUE, mobileSealed BYTEA NOT NULL, dekWrapped BYTEA NOT NULL,
                kekVersion BIGINT NOT NULL, dekVersion BIGINT NOT NULL, createdAt TIMESTAMPTZ NOT NULL,
                n BIGSERIAL UNIQUE)
            """,
            "CREATE INDEX citizens_kek ON citizens (kekVersion)",
            """
            CREATE TABLE documents (
                id TEXT PRIMARY KEY, ownerID TEXT NOT NULL REFERENCES citizens, uri TEXT NOT NULL UNIQUE, issuerID TEXT NOT NULL,
                docType TEXT NOT NULL, issuerDocID TEXT NOT NULL, issuedOn TEXT NOT NULL, version BIGINT NOT NULL,
                blobID TEXT NOT NULL UNIQUE, contentKeyWrapped BYTEA NOT NULL, dekVersion BIGINT NOT NULL, size BIGINT NOT NULL,
                contentType TEXT NOT NULL, contentSHA256 BYTEA NOT NULL, claimsSealed BYTEA, signature BYTEA,
                revokedAt TIMESTAMPTZ, createdAt TIMESTAMPTZ NOT NULL, updatedAt TIMESTAMPTZ NOT NULL,
                metadataSHA256 BYTEA, holderSealed BYTEA)
            """,
            "CREATE INDEX documents_owner ON documents (ownerID, createdAt)",
            """
            CREATE TABLE issuers (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, publicKey BYTEA NOT NULL, apiKeyHash BYTEA NOT NULL UNIQUE,
                disabled BOOLEAN NOT NULL DEFAULT FALSE, createdAt TIMESTAMPTZ NOT NULL, docTypes TEXT NOT NULL DEFAULT '')
            """,
            """
            CREATE TABLE otpChallenges (
                id TEXT PRIMARY KEY, purpose TEXT NOT NULL, mobileHash BYTEA NOT NULL, mobileSealed BYTEA NOT NULL,
                clientHash BYTEA NOT NULL, otpHash BYTEA NOT NULL, attempts BIGINT NOT NULL, createdAt TIMESTAMPTZ NOT NULL,
                expiresAt TIMESTAMPTZ NOT NULL, usedAt TIMESTAMPTZ)
            """,
            "CREATE INDEX otpChallenges_mobile ON otpChallenges (mobileHash, createdAt)",
            "CREATE INDEX otpChallenges_client ON otpChallenges (clientHash, createdAt)",
            """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY, tokenHash BYTEA NOT NULL UNIQUE, citizenID TEXT NOT NULL REFERENCES citizens,
                createdAt TIMESTAMPTZ NOT NULL, expiresAt TIMESTAMPTZ NOT NULL, revokedAt TIMESTAMPTZ)
            """,
            "CREATE INDEX sessions_citizen ON sessions (citizenID)",
            """
            CREATE TABLE auditLog (
                seq BIGINT PRIMARY KEY, at TIMESTAMPTZ NOT NULL, action TEXT NOT NULL, actor TEXT NOT NULL, citizenID TEXT,
                documentID TEXT, detail TEXT NOT NULL, prevHash BYTEA NOT NULL, hash BYTEA NOT NULL)
            """,
            "CREATE INDEX auditLog_citizen ON auditLog (citizenID, seq)",
            """
            CREATE FUNCTION locker_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$
            """,
            "CREATE TRIGGER auditLog_no_change BEFORE UPDATE OR DELETE ON auditLog FOR EACH ROW EXECUTE FUNCTION locker_audit_append_only()",
            "CREATE TABLE auditHead (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash BYTEA NOT NULL)",
            "INSERT INTO auditHead VALUES (1, 0, '\\x0000000000000000000000000000000000000000000000000000000000000000')",
            """
            CREATE TABLE verifiers (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, origins TEXT NOT NULL, apiKeyHash BYTEA NOT NULL UNIQUE,
                disabled BOOLEAN NOT NULL DEFAULT FALSE, createdAt TIMESTAMPTZ NOT NULL)
            """,
            """
            CREATE TABLE kycRequests (
                id TEXT PRIMARY KEY, verifierID TEXT NOT NULL REFERENCES verifiers, mobileHash BYTEA NOT NULL, nameSealed BYTEA NOT NULL,
                purpose TEXT NOT NULL, nonce TEXT, otpHash BYTEA NOT NULL, attempts BIGINT NOT NULL, createdAt TIMESTAMPTZ NOT NULL,
                expiresAt TIMESTAMPTZ NOT NULL, usedAt TIMESTAMPTZ)
            """,
            "CREATE INDEX kycRequests_mobile ON kycRequests (mobileHash, createdAt)",
            """
            CREATE TABLE signingKeys (
                kid TEXT PRIMARY KEY, publicKey BYTEA NOT NULL, privateKeyWrapped BYTEA NOT NULL, kekVersion BIGINT NOT NULL,
                createdAt TIMESTAMPTZ NOT NULL, retiredAt TIMESTAMPTZ, publishUntil TIMESTAMPTZ)
            """,
            """
            CREATE TABLE shares (
                id TEXT PRIMARY KEY, tokenHash BYTEA NOT NULL UNIQUE, documentID TEXT NOT NULL REFERENCES documents,
                ownerID TEXT NOT NULL REFERENCES citizens, scope TEXT NOT NULL, label TEXT NOT NULL, maxUses BIGINT NOT NULL,
                usesSpent BIGINT NOT NULL, passcodeHash BYTEA, wrongPasscodes BIGINT NOT NULL, createdAt TIMESTAMPTZ NOT NULL,
                expiresAt TIMESTAMPTZ NOT NULL, revokedAt TIMESTAMPTZ)
            """,
            "CREATE INDEX shares_owner ON shares (ownerID)",
            "CREATE INDEX shares_document ON shares (documentID)",
            """
            CREATE TABLE adminCredentials (
                id TEXT PRIMARY KEY, hash BYTEA NOT NULL UNIQUE, createdAt TIMESTAMPTZ NOT NULL, revokedAt TIMESTAMPTZ)
            """,
            "CREATE TABLE blobChunks (id TEXT NOT NULL, n INTEGER NOT NULL, bytes BYTEA NOT NULL, PRIMARY KEY (id, n))",
            "CREATE TABLE vaultIdentity (vaultID TEXT PRIMARY KEY, keyCheck BYTEA NOT NULL, createdAt TIMESTAMPTZ NOT NULL)",
            """
            CREATE TABLE keyring (
                id INTEGER PRIMARY KEY CHECK (id = 1), sealed BYTEA NOT NULL, generation BIGINT NOT NULL, updatedAt TIMESTAMPTZ NOT NULL)
            """,
        ]),
        (2, [
            // The key ring as rows: each KEK version wrapped under the root key on its own.
            """
            CREATE TABLE keyringState (
                id INTEGER PRIMARY KEY CHECK (id = 1), vaultID TEXT NOT NULL, primaryVersion BIGINT NOT NULL,
                minDecryptionVersion BIGINT NOT NULL, indexKeyWrapped BYTEA NOT NULL, generation BIGINT NOT NULL, updatedAt TIMESTAMPTZ NOT NULL)
            """,
            "CREATE TABLE kekVersions (version BIGINT PRIMARY KEY, keyWrapped BYTEA NOT NULL, createdAt TIMESTAMPTZ NOT NULL)",
        ]),
        (3, [
            // The audit append in one statement: the head row locked, each entry hashed exactly as
            // AuditRecord.chainHash does (every field length-prefixed, 4 bytes big-endian), linked.
            """
            CREATE FUNCTION locker_audit_field(t TEXT) RETURNS BYTEA LANGUAGE sql IMMUTABLE AS
            $$ SELECT int4send(octet_length(convert_to(t, 'UTF8'))) || convert_to(t, 'UTF8') $$
            """,
            """
            CREATE FUNCTION locker_append_audit(ms BIGINT[], actions TEXT[], actors TEXT[], citizens TEXT[], documents TEXT[], details TEXT[])
            RETURNS BIGINT LANGUAGE plpgsql AS $$
            DECLARE
                head_seq BIGINT; head_hash BYTEA; next_hash BYTEA;
            BEGIN
                SELECT seq, hash INTO head_seq, head_hash FROM auditHead WHERE id = 1 FOR UPDATE;
                IF NOT FOUND THEN RAISE EXCEPTION 'the audit chain''s head row is missing'; END IF;
                FOR i IN 1 .. coalesce(array_length(ms, 1), 0) LOOP
                    head_seq := head_seq + 1;
                    next_hash := sha256(head_hash || locker_audit_field(head_seq::text) || locker_audit_field(ms[i]::text)
                        || locker_audit_field(actions[i]) || locker_audit_field(actors[i]) || locker_audit_field(citizens[i])
                        || locker_audit_field(documents[i]) || locker_audit_field(details[i]));
                    INSERT INTO auditLog (seq, at, action, actor, citizenID, documentID, detail, prevHash, hash)
                    VALUES (head_seq, to_timestamp(ms[i] / 1000.0), actions[i], actors[i], NULLIF(citizens[i], ''),
                            NULLIF(documents[i], ''), details[i], head_hash, next_hash);
                    head_hash := next_hash;
                END LOOP;
                UPDATE auditHead SET seq = head_seq, hash = head_hash WHERE id = 1;
                RETURN head_seq;
            END $$
            """,
        ]),
        (4, [
            """
            CREATE TABLE partners (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, redirectURIs TEXT NOT NULL, secretHash BYTEA,
                disabled BOOLEAN NOT NULL DEFAULT FALSE, createdAt TIMESTAMPTZ NOT NULL)
            """,
        ]),
        (5, [
            """
            CREATE TABLE partnerConnections (
                id TEXT PRIMARY KEY, partnerID TEXT NOT NULL, citizenID TEXT NOT NULL, scopes TEXT NOT NULL,
                createdAt TIMESTAMPTZ NOT NULL, expiresAt TIMESTAMPTZ NOT NULL, lastUsedAt TIMESTAMPTZ,
                endedAt TIMESTAMPTZ, endedReason TEXT)
            """,
            "CREATE INDEX partnerConnections_citizen ON partnerConnections (citizenID)",
            """
            CREATE TABLE partnerTokens (
                tokenHash BYTEA PRIMARY KEY, kind TEXT NOT NULL, connectionID TEXT NOT NULL, partnerID TEXT NOT NULL,
                redirectURI TEXT, codeChallenge TEXT, createdAt TIMESTAMPTZ NOT NULL, expiresAt TIMESTAMPTZ NOT NULL,
                usedAt TIMESTAMPTZ)
            """,
            "CREATE INDEX partnerTokens_connection ON partnerTokens (connectionID)",
        ]),
        (6, [
            """
            CREATE TABLE auditArchives (
                firstSeq BIGINT PRIMARY KEY, lastSeq BIGINT NOT NULL UNIQUE, prevHash BYTEA NOT NULL, lastHash BYTEA NOT NULL,
                entries BIGINT NOT NULL, path TEXT NOT NULL, fileSHA256 BYTEA NOT NULL, createdAt TIMESTAMPTZ NOT NULL)
            """,
        ]),
        (7, [
            """
            CREATE TABLE pullIssuers (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, url TEXT NOT NULL, docTypes TEXT NOT NULL, fields TEXT NOT NULL,
                keySealed BYTEA NOT NULL, disabled BOOLEAN NOT NULL DEFAULT FALSE, createdAt TIMESTAMPTZ NOT NULL)
            """,
            """
            CREATE TABLE pulledDocuments (
                id TEXT PRIMARY KEY, ownerID TEXT NOT NULL, issuerID TEXT NOT NULL, docType TEXT NOT NULL, uri TEXT,
                status TEXT NOT NULL, requestSealed BYTEA, attempts BIGINT NOT NULL, nextTryAt TIMESTAMPTZ,
                createdAt TIMESTAMPTZ NOT NULL, updatedAt TIMESTAMPTZ NOT NULL)
            """,
            "CREATE INDEX pulledDocuments_owner ON pulledDocuments (ownerID)",
            // A grant may name a document kept by its issuer (pulledDocuments).
            "ALTER TABLE shares DROP CONSTRAINT IF EXISTS shares_documentid_fkey",
            "CREATE TABLE pushURINonces (issuerID TEXT NOT NULL, ts TEXT NOT NULL, createdAt TIMESTAMPTZ NOT NULL, PRIMARY KEY (issuerID, ts))",
        ]),
        // SMART Health Card keys (ES256) live beside the status keys and roll over on their own.
        (8, ["ALTER TABLE signingKeys ADD COLUMN alg TEXT NOT NULL DEFAULT 'Ed25519'"]),
    ]

    /// Brings the schema up to date. Safe when several nodes start at once: each takes the
    /// migration lock in its own transaction, and reads the applied versions only once it holds it.
    static func migrate(_ pool: PostgresPool) throws {
        try pool.transaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock(\(migrationLock))")
            try connection.execute("CREATE TABLE IF NOT EXISTS schemaMigrations (version INTEGER PRIMARY KEY, appliedAt TIMESTAMPTZ NOT NULL)")
            let applied = Set(try connection.query("SELECT version FROM schemaMigrations").map { try $0.decode(0, as: Int.self) })
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.sql { try connection.execute(PostgresQuery(unsafeSQL: statement)) }
                try connection.execute("INSERT INTO schemaMigrations (version, appliedAt) VALUES (\(migration.version), now())")
            }
        }
    }
}
