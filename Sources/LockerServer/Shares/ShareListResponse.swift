import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// `GET /v1/shares`.
struct ShareListResponse: ResponseEncodable {
    let shares: [ShareResponse]
}
