import Foundation
import LockerStore

/// What a status check needs from a vaccination certificate, sealed beside it at push time so
/// the check opens 40 bytes instead of decoding the issuer's whole metadata: the holder's
/// normalised name and the status digit.
public struct HolderFacts: Sendable {
    public let normalizedName: String
    public let status: Int

    public init(normalizedName: String, status: Int) {
        self.normalizedName = normalizedName
        self.status = status
    }

    init?(_ bytes: [UInt8]) {
        guard let first = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "2")).contains(first) else { return nil }
        status = Int(first - UInt8(ascii: "0"))
        normalizedName = String(decoding: bytes.dropFirst(), as: UTF8.self)
    }

    /// `status digit ‖ normalised name`.
    public var bytes: [UInt8] { Array(String(status).utf8) + Array(normalizedName.utf8) }

    static func field(_ document: DocumentRecord) -> String { document.holderField }
}
