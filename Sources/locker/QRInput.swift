import Foundation
import LockerCore

/// What `locker verify-qr` was given, as QR text: the text itself, a PNG image (decoded by
/// `QRScan`), a file holding the text, or `-` for standard input.
enum QRInput {
    /// Images and text files are read up to this size.
    static let maxBytes = 32 << 20

    /// The QR text of `input`.
    static func text(_ input: String) throws -> String {
        if input.hasPrefix(HealthCardQR.prefix) || input.hasPrefix(StatusQR.prefix) { return input }
        let bytes: [UInt8]
        if input == "-" {
            bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile().prefix(maxBytes + 1))
        } else {
            guard FileManager.default.fileExists(atPath: input) else {
                throw CLIError("\(input.prefix(60).debugDescription) is not shc:/… or locker:/… text, nor a file")
            }
            guard let data = FileManager.default.contents(atPath: input) else { throw CLIError("\(input): cannot read the file") }
            bytes = [UInt8](data.prefix(maxBytes + 1))
        }
        guard bytes.count <= maxBytes else { throw CLIError("\(input): larger than 32 MiB") }
        guard QRScan.isPNG(bytes) else { return String(decoding: bytes, as: UTF8.self) }
        let texts: [String]
        do {
            texts = try QRScan.texts(png: bytes)
        } catch let error as QRScan.Unreadable {
            throw CLIError("\(input): \(error.description)")
        }
        // A picture may hold other codes too: a Locker or SMART Health Card one comes first.
        let ours = texts.first { $0.hasPrefix(HealthCardQR.prefix) || $0.hasPrefix(StatusQR.prefix) }
        guard let text = ours ?? texts.first else { throw CLIError("\(input): no QR code found in the image") }
        return text
    }
}
