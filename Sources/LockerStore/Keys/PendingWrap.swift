import Foundation

/// One citizen's data key as a rewrap reads it: where the row is (the cursor to continue
/// after), whose key it is (bound into the wrap's associated data), and the wrapped bytes with
/// the KEK version they are under.
public struct PendingWrap: Sendable {
    public let rowID: Int64
    public let ownerID: String
    public let wrapped: Data
    public let kekVersion: Int

    public init(rowID: Int64, ownerID: String, wrapped: Data, kekVersion: Int) {
        self.rowID = rowID
        self.ownerID = ownerID
        self.wrapped = wrapped
        self.kekVersion = kekVersion
    }
}
