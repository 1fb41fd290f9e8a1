import Foundation
import LockerCore
import Logging
import Synchronization
import FoundationNetworking

struct SMSError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
