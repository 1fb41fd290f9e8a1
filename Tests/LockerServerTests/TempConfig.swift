import Foundation

/// A `lockerd.json` with the given text in a folder of its own, for the configuration tests.
enum TempConfig {
    static func write(_ json: String) throws -> String {
        let dir = NSTemporaryDirectory() + "locker-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/lockerd.json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
