/// Every port the feature services use, as one adapter provides them (`SQLiteStore`, `PostgresStore`).
public typealias LockerStorage = AuditStore & DirectoryStore & DocumentStore & PartnerStore & PushStore & ShareStore & SignInStore & StatusStore & StorageMaintenance
