import Foundation

/// `--json` answer of a disable command.
struct DisabledParty: Encodable {
    var id: String
    var disabled: Bool
}
