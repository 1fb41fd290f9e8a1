import GRDB

extension LockerDatabase {
    /// Shipped migrations never change; new ones are appended.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-citizens-documents") { db in
            try db.create(table: "citizens") { t in
                t.primaryKey("id", .text)
                t.column("mobileHash", .blob).notNull().unique()
                t.column("mobileSealed", .blob).notNull()
                t.column("dekWrapped", .blob).notNull()
                t.column("kekVersion", .integer).notNull().indexed()
                t.column("dekVersion", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "documents") { t in
                t.primaryKey("id", .text)
                t.column("ownerID", .text).notNull().indexed().references("citizens")
                t.column("uri", .text).notNull().unique()
                t.column("issuerID", .text).notNull()
                t.column("docType", .text).notNull()
                t.column("issuerDocID", .text).notNull()
                t.column("issuedOn", .text).notNull()
                t.column("version", .integer).notNull()
                t.column("blobID", .text).notNull().unique()
                t.column("contentKeyWrapped", .blob).notNull()
                t.column("dekVersion", .integer).notNull()
                t.column("size", .integer).notNull()
                t.column("contentType", .text).notNull()
                t.column("contentSHA256", .blob).notNull()
                t.column("claimsSealed", .blob)
                t.column("signature", .blob)
                t.column("revokedAt", .datetime)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v2-issuers-auth-audit") { db in
            try db.alter(table: "documents") { t in
                t.add(column: "metadataSHA256", .blob)
            }
            try db.create(table: "issuers") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("publicKey", .blob).notNull()
                t.column("apiKeyHash", .blob).notNull().unique()
                t.column("disabled", .boolean).notNull().defaults(to: false)
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "otpChallenges") { t in
                t.primaryKey("id", .text)
                t.column("purpose", .text).notNull()
                t.column("mobileHash", .blob).notNull()
                t.column("mobileSealed", .blob).notNull()
                t.column("clientHash", .blob).notNull()
                t.column("otpHash", .blob).notNull()
                t.column("attempts", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("usedAt", .datetime)
            }
            try db.create(index: "otpChallenges_mobile", on: "otpChallenges", columns: ["mobileHash", "createdAt"])
            try db.create(index: "otpChallenges_client", on: "otpChallenges", columns: ["clientHash", "createdAt"])
            try db.create(table: "sessions") { t in
                t.primaryKey("id", .text)
                t.column("tokenHash", .blob).notNull().unique()
                t.column("citizenID", .text).notNull().indexed().references("citizens")
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("revokedAt", .datetime)
            }
            try db.create(table: "auditLog") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("at", .datetime).notNull()
                t.column("action", .text).notNull()
                t.column("actor", .text).notNull()
                t.column("citizenID", .text)
                t.column("documentID", .text)
                t.column("detail", .text).notNull()
                t.column("prevHash", .blob).notNull()
                t.column("hash", .blob).notNull()
            }
            try db.create(index: "auditLog_citizen", on: "auditLog", columns: ["citizenID", "seq"])
            // Append-only: the database itself refuses edits and deletions of audit entries.
            try db.execute(sql: """
                CREATE TRIGGER auditLog_no_update BEFORE UPDATE ON auditLog BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
                CREATE TRIGGER auditLog_no_delete BEFORE DELETE ON auditLog BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
                """)
        }
        migrator.registerMigration("v3-verifiers-kyc-signing") { db in
            try db.alter(table: "documents") { t in
                t.add(column: "holderSealed", .blob)
            }
            try db.create(table: "verifiers") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("origins", .text).notNull()
                t.column("apiKeyHash", .blob).notNull().unique()
                t.column("disabled", .boolean).notNull().defaults(to: false)
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "kycRequests") { t in
                t.primaryKey("id", .text)
                t.column("verifierID", .text).notNull().references("verifiers")
                t.column("mobileHash", .blob).notNull().indexed()
                t.column("nameSealed", .blob).notNull()
                t.column("purpose", .text).notNull()
                t.column("nonce", .text)
                t.column("otpHash", .blob).notNull()
                t.column("attempts", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("usedAt", .datetime)
            }
            try db.create(table: "signingKeys") { t in
                t.primaryKey("kid", .text)
                t.column("publicKey", .blob).notNull()
                t.column("privateKeyWrapped", .blob).notNull()
                t.column("kekVersion", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("retiredAt", .datetime)
                t.column("publishUntil", .datetime)
            }
        }
        migrator.registerMigration("v4-shares") { db in
            try db.create(table: "shares") { t in
                t.primaryKey("id", .text)
                t.column("tokenHash", .blob).notNull().unique()
                t.column("documentID", .text).notNull().indexed().references("documents")
                t.column("ownerID", .text).notNull().indexed().references("citizens")
                t.column("scope", .text).notNull()
                t.column("label", .text).notNull()
                t.column("maxUses", .integer).notNull()
                t.column("usesSpent", .integer).notNull()
                t.column("passcodeHash", .blob)
                t.column("wrongPasscodes", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("revokedAt", .datetime)
            }
        }
        migrator.registerMigration("v5-admin-credentials") { db in
            try db.create(table: "adminCredentials") { t in
                t.primaryKey("id", .text)
                t.column("hash", .blob).notNull().unique()
                t.column("createdAt", .datetime).notNull()
                t.column("revokedAt", .datetime)
            }
        }
        migrator.registerMigration("v6-inline-blobs") { db in
            try db.create(table: "inlineBlobs") { t in
                t.primaryKey("id", .text)
                t.column("bytes", .blob).notNull()
            }
        }
        migrator.registerMigration("v7-vault-identity") { db in
            // One row: the vault this database belongs to, and a check value keyed by the
            // keyring's index key (`VaultIdentity`).
            try db.create(table: "vaultIdentity") { t in
                t.primaryKey("vaultID", .text)
                t.column("keyCheck", .blob).notNull()
                t.column("createdAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v8-issuer-doc-types") { db in
            // Each issuer may push only the document types it is registered for. Issuers of an
            // upgraded vault keep the types they have already pushed, so deployments keep
            // working; an admin then revokes or disables what should not be there.
            try db.alter(table: "issuers") { t in
                t.add(column: "docTypes", .text).notNull().defaults(to: "")
            }
            try db.execute(sql: """
                UPDATE issuers SET docTypes = coalesce((SELECT group_concat(docType, ',') FROM
                    (SELECT DISTINCT docType FROM documents WHERE documents.issuerID = issuers.id ORDER BY docType)), '')
                """)
        }
        migrator.registerMigration("v9-partners") { db in
            // Partner apps (OAuth 2.0 clients): redirect URIs one per line, secrets as hashes.
            try db.create(table: "partners") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("redirectURIs", .text).notNull()
                t.column("secretHash", .blob)
                t.column("disabled", .boolean).notNull().defaults(to: false)
                t.column("createdAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v10-partner-connections") { db in
            // A citizen's consents to partner apps, and their codes and tokens (hashes only).
            try db.create(table: "partnerConnections") { t in
                t.primaryKey("id", .text)
                t.column("partnerID", .text).notNull()
                t.column("citizenID", .text).notNull().indexed()
                t.column("scopes", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("lastUsedAt", .datetime)
                t.column("endedAt", .datetime)
                t.column("endedReason", .text)
            }
            try db.create(table: "partnerTokens") { t in
                t.primaryKey("tokenHash", .blob)
                t.column("kind", .text).notNull()
                t.column("connectionID", .text).notNull().indexed()
                t.column("partnerID", .text).notNull()
                t.column("redirectURI", .text)
                t.column("codeChallenge", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("usedAt", .datetime)
            }
        }
        migrator.registerMigration("v11-audit-archives") { db in
            // Audit entries moved into sealed archive files: where each file is, and the hashes
            // that join it to the chain before and after it.
            try db.create(table: "auditArchives") { t in
                t.primaryKey("firstSeq", .integer)
                t.column("lastSeq", .integer).notNull().unique()
                t.column("prevHash", .blob).notNull()
                t.column("lastHash", .blob).notNull()
                t.column("entries", .integer).notNull()
                t.column("path", .text).notNull()
                t.column("fileSHA256", .blob).notNull()
                t.column("createdAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v12-pull-issuers") { db in
            // Issuers asked on demand (DigiLocker's Pull URI / Pull Doc), and the citizens'
            // references to their documents: URIs only, never the bytes.
            try db.create(table: "pullIssuers") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("url", .text).notNull()
                t.column("docTypes", .text).notNull()
                t.column("fields", .text).notNull()
                t.column("keySealed", .blob).notNull()
                t.column("disabled", .boolean).notNull().defaults(to: false)
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "pulledDocuments") { t in
                t.primaryKey("id", .text)
                t.column("ownerID", .text).notNull().indexed()
                t.column("issuerID", .text).notNull()
                t.column("docType", .text).notNull()
                t.column("uri", .text)
                t.column("status", .text).notNull()
                t.column("requestSealed", .blob)
                t.column("attempts", .integer).notNull()
                t.column("nextTryAt", .datetime)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v13-shares-of-pulled-documents") { db in
            // A grant may name a document kept by its issuer (pulledDocuments), so documentID no
            // longer references documents; SQLite changes a constraint by rebuilding the table.
            let columns = ShareRecord.CodingKeys.allCases.map(\.stringValue).joined(separator: ", ")
            try db.create(table: "shares_v13") { t in
                t.primaryKey("id", .text)
                t.column("tokenHash", .blob).notNull().unique()
                t.column("documentID", .text).notNull()
                t.column("ownerID", .text).notNull().references("citizens")
                t.column("scope", .text).notNull()
                t.column("label", .text).notNull()
                t.column("maxUses", .integer).notNull()
                t.column("usesSpent", .integer).notNull()
                t.column("passcodeHash", .blob)
                t.column("wrongPasscodes", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull()
                t.column("revokedAt", .datetime)
            }
            try db.execute(sql: "INSERT INTO shares_v13 (\(columns)) SELECT \(columns) FROM shares")
            try db.drop(table: "shares")
            try db.rename(table: "shares_v13", to: "shares")
            try db.create(index: "shares_on_documentID", on: "shares", columns: ["documentID"])
            try db.create(index: "shares_on_ownerID", on: "shares", columns: ["ownerID"])
        }
        migrator.registerMigration("v14-push-uri-nonces") { db in
            // Each Push URI call's `ts` is accepted once per issuer (its HMAC covers only client id and ts).
            try db.create(table: "pushURINonces") { t in
                t.column("issuerID", .text).notNull()
                t.column("ts", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.primaryKey(["issuerID", "ts"])
            }
        }
        migrator.registerMigration("v15-card-signing-keys") { db in
            // SMART Health Card keys (ES256) live beside the status keys and roll over on their own.
            try db.alter(table: "signingKeys") { t in t.add(column: "alg", .text).notNull().defaults(to: SigningKeyRecord.ed25519) }
        }
        return migrator
    }
}
