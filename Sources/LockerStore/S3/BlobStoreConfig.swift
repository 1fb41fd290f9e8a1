import Foundation

/// `--blob-store` and `--blob-credentials-file` as given, shared by `lockerd` and the CLI:
/// `connect()` turns them into the blob files of a vault, or one line saying why not.
public struct BlobStoreConfig: Sendable, Equatable {
    /// The bucket and endpoint.
    public var location: S3Location
    /// `KEY=VALUE` or AWS shared-credentials file; nil reads `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`.
    public var credentialsFile: String?

    /// Parses `--blob-store`'s value.
    public init(_ text: String, credentialsFile: String?) throws {
        location = try S3Location(text)
        self.credentialsFile = credentialsFile
    }

    /// Loads the credentials, checks that the bucket answers and accepts them, and returns the
    /// blob files for a vault whose temp files live under `layout`. Throws one line naming the
    /// endpoint when the store cannot be reached or refuses.
    public func connect(layout: StorageLayout) throws -> S3BlobFiles {
        let client = S3Client(location: location, credentials: try S3Credentials.load(file: credentialsFile))
        try client.check()
        return S3BlobFiles(client: client, tempDirectory: layout.blobTempDirectory)
    }
}
