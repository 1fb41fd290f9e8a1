/// Where a sealed document belongs. Bound into every segment's key derivation and associated
/// data, so a blob copied onto another document, owner or version fails to open.
public struct EnvelopeContext: Sendable, Hashable {
    /// The citizen who owns the document.
    public var ownerID: String
    /// The document the blob is the content of.
    public var documentID: String
    /// The content-key version: the document version this blob was sealed for.
    public var keyVersion: UInt32

    public init(ownerID: String, documentID: String, keyVersion: UInt32) {
        self.ownerID = ownerID
        self.documentID = documentID
        self.keyVersion = keyVersion
    }

    /// Unambiguous encoding: each string is length-prefixed, so ("ab","c") ≠ ("a","bc").
    var encoded: [UInt8] {
        var out = [UInt8]()
        out.appendLengthPrefixed(Array(ownerID.utf8))
        out.appendLengthPrefixed(Array(documentID.utf8))
        out.appendBigEndian(keyVersion)
        return out
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendLengthPrefixed(_ bytes: [UInt8]) {
        appendBigEndian(UInt32(bytes.count))
        append(contentsOf: bytes)
    }
}
