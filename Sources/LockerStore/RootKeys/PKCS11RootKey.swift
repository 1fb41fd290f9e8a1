import CPKCS11
import Foundation
import Synchronization

/// The root key as an AES-256 key inside an HSM, used through its PKCS#11 module: the key ring's
/// keys are wrapped and unwrapped in the token (CKM_AES_GCM) and the root key itself never
/// enters this process.
///
/// Threads: one logged-in session, used under a mutex (a PKCS#11 session runs one operation at
/// a time, and wrapping happens only when the key ring is loaded or changed, so there is nothing
/// to gain from more). A session, token or device failure closes it; the next use opens a new
/// one (logging in again and finding the key again), and retries the operation once.
public final class PKCS11RootKey: RootKeyWrapper {
    public let uri: PKCS11URI
    public var name: String { uri.description }
    private let module: PKCS11Module
    private let pin: String
    private let state: Mutex<(session: PKCS11Session, key: CK_OBJECT_HANDLE)?>

    /// Loads the module, finds the token, logs in and finds the key now, so that a wrong module
    /// path, token label, PIN or key label stops start-up with one line naming it.
    public init(uri: PKCS11URI, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.uri = uri
        pin = try uri.pin(environment: environment)
        module = try PKCS11Module.load(path: uri.modulePath)
        let session = try PKCS11Session.open(module: module, token: uri.token, pin: pin)
        do {
            state = Mutex((session, try session.secretKey(label: uri.object)))
        } catch {
            session.close()
            throw error
        }
    }

    public func wrap(_ plaintext: [UInt8], authenticating aad: [UInt8]) throws -> Data {
        Data(try withSession { session, key in try session.seal(plaintext, aad: aad, key: key) })
    }

    public func unwrap(_ sealed: Data, authenticating aad: [UInt8]) throws -> [UInt8] {
        try withSession { session, key in try session.open([UInt8](sealed), aad: aad, key: key) }
    }

    /// Runs `body` in the session, opening one if there is none; on a session or device
    /// failure opens a new one and tries once more. Throws `RootKeyUnavailable` if the token
    /// still cannot be used.
    private func withSession<T: Sendable>(_ body: (PKCS11Session, CK_OBJECT_HANDLE) throws -> T) throws -> T {
        try state.withLock { current in
            for attempt in 0..<2 {
                let (session, key): (PKCS11Session, CK_OBJECT_HANDLE)
                if let open = current {
                    (session, key) = open
                } else {
                    do {
                        (session, key) = try reconnect()
                    } catch {
                        throw RootKeyUnavailable("the HSM holding the root key cannot be used: \(error)")
                    }
                    current = (session, key)
                }
                do {
                    return try body(session, key)
                } catch let error as PKCS11Error where error.isUnavailable {
                    session.close()
                    current = nil
                    if attempt == 1 { throw RootKeyUnavailable("the HSM holding the root key cannot be used: \(error)") }
                }
            }
            throw RootKeyUnavailable("the HSM holding the root key cannot be used")
        }
    }

    /// A new session with the key found again; if the token cannot be found or opened, the
    /// module is initialised afresh once (the only way some modules see a token come back).
    private func reconnect() throws -> (PKCS11Session, CK_OBJECT_HANDLE) {
        let session: PKCS11Session
        do {
            session = try PKCS11Session.open(module: module, token: uri.token, pin: pin)
        } catch is PKCS11Error {
            try module.reinitialize()
            session = try PKCS11Session.open(module: module, token: uri.token, pin: pin)
        }
        do {
            return (session, try session.secretKey(label: uri.object))
        } catch {
            session.close()
            throw error
        }
    }

    /// `locker keys init-root`: creates the AES-256 key named by `uri` in the token (sensitive,
    /// not extractable); refuses if a secret key with that label exists.
    public static func create(uri: PKCS11URI, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let module = try PKCS11Module.load(path: uri.modulePath)
        let session = try PKCS11Session.open(module: module, token: uri.token, pin: try uri.pin(environment: environment), readWrite: true)
        defer { session.close() }
        guard try session.secretKeys(label: uri.object).isEmpty else {
            throw PKCS11Error("PKCS#11 token \(uri.token.debugDescription) already holds a secret key labelled \(uri.object.debugDescription); nothing was created")
        }
        _ = try session.generateKey(label: uri.object)
    }

    /// `locker keys root-info`: what the token says about the key, whether it gives out its value,
    /// and whether a seal and open through it round-trips.
    public func info() throws -> PKCS11KeyInfo {
        try withSession { session, key in
            let value = session.askForValue(of: key)
            let probe = (0..<32).map { _ in UInt8.random(in: 0...255) }
            let aad = Array("locker-root-info-probe".utf8)
            let roundTrip = (try? session.open(try session.seal(probe, aad: aad, key: key), aad: aad, key: key)) == probe
            return PKCS11KeyInfo(
                uri: uri.description, token: uri.token, label: uri.object,
                sensitive: session.bool(CKA_SENSITIVE, of: key), extractable: session.bool(CKA_EXTRACTABLE, of: key),
                alwaysSensitive: session.bool(CKA_ALWAYS_SENSITIVE, of: key), neverExtractable: session.bool(CKA_NEVER_EXTRACTABLE, of: key),
                valueReadable: value.rv == CKR_OK, valueAnswer: PKCS11Error.name(value.rv), sealOpenRoundTrip: roundTrip)
        }
    }
}
