import Foundation

/// A fresh storage folder per test, removed afterwards.
final class TempStorage {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "locker-test-" + UUID().uuidString
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Every regular file under the folder, with its bytes.
    func allFiles() throws -> [(String, [UInt8])] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: path) else { return [] }
        var out = [(String, [UInt8])]()
        for case let relative as String in walker {
            let full = path + "/" + relative
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                out.append((relative, [UInt8](try Data(contentsOf: URL(fileURLWithPath: full)))))
            }
        }
        return out
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { n in
                var i = 0
                let last = hay.count - n.count
                while i <= last {
                    if hay[i] == n[0] && memcmp(hay.baseAddress! + i, n.baseAddress!, n.count) == 0 { return true }
                    i += 1
                }
                return false
            }
        }
    }
}
