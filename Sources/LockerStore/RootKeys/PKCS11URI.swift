import Foundation
import LockerCore
#if canImport(Glibc)
import Glibc
#endif

/// A root key in an HSM, named by an RFC 7512 PKCS#11 URI:
/// `pkcs11:token=LABEL;object=KEYLABEL?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/locker/hsm.pin`.
///
/// Path attributes: `token` (the token's label) and `object` (the secret key's `CKA_LABEL`), both
/// required; `type`, if given, must be `secret-key`. Query attributes: `module-path` (absolute,
/// required) and `pin-source` (`file:/path`, optional: otherwise the PIN comes from
/// `LOCKER_HSM_PIN`). `pin-value` is refused: URIs are logged and shown, PINs must not be.
/// Anything else, a repeated attribute, an empty value, a bad percent escape or a control
/// character is refused with one line naming it.
public struct PKCS11URI: Sendable, Equatable, CustomStringConvertible {
    /// The token's label (`CKA_LABEL` of the token, at most 32 bytes).
    public var token: String
    /// The secret key's label.
    public var object: String
    /// The module's shared library, loaded with dlopen.
    public var modulePath: String
    /// The file holding the PIN, if the URI names one.
    public var pinFile: String?

    /// Longest URI accepted, so a hostile value cannot make the parser work hard.
    static let maxLength = 4096

    /// Parses `text`; throws `StoreError` with one line naming what is wrong.
    public init(_ text: String) throws {
        func fail(_ why: String) -> StoreError { StoreError("invalid PKCS#11 URI: \(why)") }
        guard text.utf8.count <= Self.maxLength else { throw fail("longer than \(Self.maxLength) bytes") }
        guard text.lowercased().hasPrefix("pkcs11:") else { throw fail("it must start with pkcs11:") }
        let rest = text.dropFirst("pkcs11:".count)
        guard !rest.contains("#") else { throw fail("a fragment (#) is not allowed") }
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = try Self.attributes(parts[0], separator: ";", kind: "path")
        let query = parts.count > 1 ? try Self.attributes(parts[1], separator: "&", kind: "query") : [:]
        if query["pin-value"] != nil || path["pin-value"] != nil {
            throw fail("pin-value is not accepted (the URI is logged); use pin-source=file:/path or LOCKER_HSM_PIN")
        }
        for name in path.keys where !["token", "object", "type"].contains(name) {
            throw fail("path attribute \(name.debugDescription) is not supported (expected token, object, type)")
        }
        for name in query.keys where !["module-path", "pin-source"].contains(name) {
            throw fail("query attribute \(name.debugDescription) is not supported (expected module-path, pin-source)")
        }
        if let type = path["type"], type != "secret-key" { throw fail("type must be secret-key, not \(type.debugDescription)") }
        guard let token = path["token"] else { throw fail("token=LABEL is missing") }
        guard token.utf8.count <= 32 else { throw fail("a token label is at most 32 bytes") }
        guard let object = path["object"] else { throw fail("object=KEYLABEL is missing") }
        guard let module = query["module-path"] else { throw fail("module-path=/path/to/module.so is missing (e.g. /usr/lib/softhsm/libsofthsm2.so)") }
        guard module.hasPrefix("/") else { throw fail("module-path must be an absolute path") }
        self.token = token
        self.object = object
        self.modulePath = module
        if let source = query["pin-source"] {
            pinFile = try Self.pinFile(source)
        }
    }

    /// `file:/path`, `file:///path` or `/path`; nothing on another host or relative.
    static func pinFile(_ source: String) throws -> String {
        var path = source
        if path.hasPrefix("file://") {
            path.removeFirst("file://".count)
            guard path.hasPrefix("/") else { throw StoreError("invalid PKCS#11 URI: pin-source must be a local file (file:/path)") }
        } else if path.hasPrefix("file:") {
            path.removeFirst("file:".count)
        }
        guard path.hasPrefix("/") else { throw StoreError("invalid PKCS#11 URI: pin-source must be file: and an absolute path") }
        return path
    }

    /// Splits `name=value` pairs, percent-decoding both; refuses repeats and empty values.
    static func attributes(_ text: Substring, separator: Character, kind: String) throws -> [String: String] {
        var result: [String: String] = [:]
        guard !text.isEmpty else { return result }
        for pair in text.split(separator: separator, omittingEmptySubsequences: false) {
            let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard halves.count == 2 else { throw StoreError("invalid PKCS#11 URI: \(kind) attribute \(String(pair).debugDescription) has no value (name=value)") }
            let name = try decode(halves[0])
            let value = try decode(halves[1])
            guard !name.isEmpty else { throw StoreError("invalid PKCS#11 URI: a \(kind) attribute has no name") }
            guard !value.isEmpty else { throw StoreError("invalid PKCS#11 URI: \(name) is empty") }
            guard result[name] == nil else { throw StoreError("invalid PKCS#11 URI: \(name) is given more than once") }
            result[name] = value
        }
        return result
    }

    /// RFC 3986 percent-decoding into UTF-8; refuses bad escapes, invalid UTF-8 and control characters.
    static func decode(_ text: Substring) throws -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(Hex.digitValue), let low = iterator.next().flatMap(Hex.digitValue) else {
                    throw StoreError("invalid PKCS#11 URI: a % must be followed by two hex digits")
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        guard let string = String(validating: bytes, as: UTF8.self) else { throw StoreError("invalid PKCS#11 URI: not UTF-8 after percent-decoding") }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7f }) else { throw StoreError("invalid PKCS#11 URI: control characters are not allowed") }
        return string
    }

    /// The URI again, percent-encoded where needed; never holds a PIN.
    public var description: String {
        var text = "pkcs11:token=\(Self.encode(token));object=\(Self.encode(object));type=secret-key?module-path=\(Self.encode(modulePath))"
        if let pinFile { text += "&pin-source=file:\(Self.encode(pinFile))" }
        return text
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~/:@!$'()*+,")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// The PIN: from `pin-source` (a file only its owner may read; one trailing newline is
    /// dropped) or else `LOCKER_HSM_PIN`. Throws one line when neither gives one.
    public func pin(environment: [String: String]) throws -> String {
        guard let pinFile else {
            guard let pin = environment["LOCKER_HSM_PIN"], !pin.isEmpty else {
                throw StoreError("no PIN for PKCS#11 token \(token.debugDescription): add pin-source=file:/path to the URI or set LOCKER_HSM_PIN")
            }
            return pin
        }
        var info = stat()
        guard stat(pinFile, &info) == 0, let data = FileManager.default.contents(atPath: pinFile) else {
            throw StoreError("cannot read the PIN file \(pinFile) (pin-source of the PKCS#11 URI)")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw StoreError("PIN file \(pinFile) is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 \(pinFile)")
        }
        var pin = String(decoding: data, as: UTF8.self)
        if pin.hasSuffix("\n") { pin.removeLast() }  // "\r\n" is one Character in Swift
        guard !pin.isEmpty else { throw StoreError("PIN file \(pinFile) is empty") }
        return pin
    }
}
