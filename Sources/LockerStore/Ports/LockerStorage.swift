/// Every port the feature services use, as one adapter provides them (`SQLiteStore`, `PostgresStore`).
public typealias LockerStorage = AuditStore & DirectoryStore & DocumentStore & PartnerStore & PullStore & PushStore & ShareStore & SignInStore & StatusStore & StorageMaintenance
