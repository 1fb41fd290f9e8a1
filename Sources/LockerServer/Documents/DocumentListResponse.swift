import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// `GET /v1/documents`.
struct DocumentListResponse: ResponseEncodable {
    let documents: [DocumentResponse]
}
