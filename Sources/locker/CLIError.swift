import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// A failure the admin can act on; printed as one line, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
