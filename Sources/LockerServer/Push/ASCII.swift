import Crypto
import Foundation
import LockerCore
import LockerStore
import NIOCore

/// Trimming without Foundation's `CharacterSet` (which bridges through `NSString` per call).
enum ASCII {
    static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]

    /// `text` without leading and trailing bytes from `dropping` (ASCII whitespace by default).
    static func trim(_ text: Substring, dropping: Set<UInt8> = whitespace) -> Substring {
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { !dropping.contains($0) }) else { return text[text.endIndex...] }
        let last = bytes.lastIndex(where: { !dropping.contains($0) })!
        return text[first...last]
    }

    static func trim(_ text: String, dropping: Set<UInt8> = whitespace) -> Substring { trim(text[...], dropping: dropping) }
}
