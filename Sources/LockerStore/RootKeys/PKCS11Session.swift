import CPKCS11
import Foundation

/// One logged-in session on the token with a given label, and the calls Locker makes in it:
/// find a secret key by label, AES-GCM encrypt and decrypt with it, generate one, read its
/// attributes. Not thread-safe by itself (a PKCS#11 session runs one operation at a time):
/// `PKCS11RootKey` serialises its use.
struct PKCS11Session: Sendable {
    let module: PKCS11Module
    let handle: CK_SESSION_HANDLE
    let token: String

    /// Finds the token labelled `token` among the module's slots, opens a session on it and logs
    /// the user in with `pin`. Every failure is one line naming the token or the module.
    static func open(module: PKCS11Module, token: String, pin: String, readWrite: Bool = false) throws -> PKCS11Session {
        let f = module.functions
        var count: CK_ULONG = 0
        try check(f.C_GetSlotList!(1, nil, &count), "C_GetSlotList", module: module)
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        try check(f.C_GetSlotList!(1, &slots, &count), "C_GetSlotList", module: module)
        var labels: [String] = []
        var found: CK_SLOT_ID?
        for slot in slots.prefix(Int(count)) {
            var info = CK_TOKEN_INFO()
            guard f.C_GetTokenInfo!(slot, &info) == CKR_OK else { continue }
            let label = withUnsafeBytes(of: info.label) { String(decoding: $0, as: UTF8.self) }
                .trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
            if !label.isEmpty { labels.append(label) }
            if label == token, found == nil { found = slot }
        }
        guard let slot = found else {
            let known = labels.isEmpty ? "none" : labels.map(\.debugDescription).joined(separator: ", ")
            throw PKCS11Error("PKCS#11 token \(token.debugDescription) not found in module \(module.path) (tokens present: \(known))")
        }
        var handle: CK_SESSION_HANDLE = 0
        let flags = CK_FLAGS(CKF_SERIAL_SESSION) | (readWrite ? CK_FLAGS(CKF_RW_SESSION) : 0)
        let opened = f.C_OpenSession!(slot, flags, nil, nil, &handle)
        guard opened == CKR_OK else {
            throw PKCS11Error("cannot open a session on PKCS#11 token \(token.debugDescription): \(PKCS11Error.name(opened))", rv: opened)
        }
        let session = PKCS11Session(module: module, handle: handle, token: token)
        var pinBytes = Array(pin.utf8)
        let login = f.C_Login!(handle, CK_USER_TYPE(CKU_USER), &pinBytes, CK_ULONG(pinBytes.count))
        switch login {
        case CKR_OK, CKR_USER_ALREADY_LOGGED_IN:
            return session
        case CKR_PIN_INCORRECT, CKR_PIN_LEN_RANGE:
            session.close()
            throw PKCS11Error("wrong PIN for PKCS#11 token \(token.debugDescription) (\(PKCS11Error.name(login)))", rv: login)
        case CKR_PIN_LOCKED:
            session.close()
            throw PKCS11Error("the PIN of PKCS#11 token \(token.debugDescription) is locked (too many wrong tries); the token's security officer must reset it", rv: login)
        default:
            session.close()
            throw PKCS11Error("cannot log in to PKCS#11 token \(token.debugDescription): \(PKCS11Error.name(login))", rv: login)
        }
    }

    /// Ends the session (errors ignored: the session is being dropped anyway).
    func close() {
        _ = module.functions.C_CloseSession!(handle)
    }

    /// The secret keys labelled `label` (at most two are looked for: one is expected).
    func secretKeys(label: String) throws -> [CK_OBJECT_HANDLE] {
        let f = module.functions
        let template = PKCS11Template([(CKA_CLASS, PKCS11Template.ulong(CKO_SECRET_KEY)), (CKA_LABEL, Array(label.utf8))])
        try template.withAttributes { attributes, count in
            try check(f.C_FindObjectsInit!(handle, attributes, count), "C_FindObjectsInit")
        }
        var objects = [CK_OBJECT_HANDLE](repeating: 0, count: 2)
        var found: CK_ULONG = 0
        let rv = f.C_FindObjects!(handle, &objects, 2, &found)
        _ = f.C_FindObjectsFinal!(handle)
        try check(rv, "C_FindObjects")
        return Array(objects.prefix(Int(found)))
    }

    /// The one secret key labelled `label`, or one line saying there is none or more than one.
    func secretKey(label: String) throws -> CK_OBJECT_HANDLE {
        let keys = try secretKeys(label: label)
        guard let key = keys.first else {
            throw PKCS11Error("no secret key labelled \(label.debugDescription) in PKCS#11 token \(token.debugDescription) (create it with: locker keys init-root --root-key 'pkcs11:…')")
        }
        guard keys.count == 1 else { throw PKCS11Error("more than one secret key is labelled \(label.debugDescription) in PKCS#11 token \(token.debugDescription)") }
        return key
    }

    /// AES-256-GCM in the token: a fresh random 12-byte nonce, `aad` as associated data, a
    /// 128-bit tag. Returns nonce || ciphertext || tag, swift-crypto's combined format.
    func seal(_ plaintext: [UInt8], aad: [UInt8], key: CK_OBJECT_HANDLE) throws -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: 12)
        var generator = SystemRandomNumberGenerator()
        for i in nonce.indices { nonce[i] = generator.next() }
        var output = [UInt8](repeating: 0, count: plaintext.count + 16)
        var length = CK_ULONG(output.count)
        var input = plaintext
        try withGCM(nonce: nonce, aad: aad) { mechanism in
            try check(module.functions.C_EncryptInit!(handle, mechanism, key), "C_EncryptInit")
            try check(module.functions.C_Encrypt!(handle, &input, CK_ULONG(input.count), &output, &length), "C_Encrypt")
        }
        return nonce + output.prefix(Int(length))
    }

    /// Opens what `seal` made with the same key and `aad`; a wrong tag (SoftHSM says
    /// CKR_GENERAL_ERROR or CKR_ENCRYPTED_DATA_INVALID) throws.
    func open(_ sealed: [UInt8], aad: [UInt8], key: CK_OBJECT_HANDLE) throws -> [UInt8] {
        guard sealed.count >= 12 + 16 else { throw PKCS11Error("the sealed value is too short (\(sealed.count) bytes)") }
        var input = Array(sealed.dropFirst(12))
        var output = [UInt8](repeating: 0, count: input.count)
        var length = CK_ULONG(output.count)
        try withGCM(nonce: Array(sealed.prefix(12)), aad: aad) { mechanism in
            try check(module.functions.C_DecryptInit!(handle, mechanism, key), "C_DecryptInit")
            try check(module.functions.C_Decrypt!(handle, &input, CK_ULONG(input.count), &output, &length), "C_Decrypt")
        }
        return Array(output.prefix(Int(length)))
    }

    /// Calls `body` with a CKM_AES_GCM mechanism whose parameters point at `nonce` and `aad`.
    private func withGCM(nonce: [UInt8], aad: [UInt8], _ body: (UnsafeMutablePointer<CK_MECHANISM>) throws -> Void) throws {
        var nonce = nonce
        let aadLength = CK_ULONG(aad.count)
        var aad = aad.isEmpty ? [0] : aad  // a valid pointer even for no data; aadLength says 0
        try nonce.withUnsafeMutableBufferPointer { iv in
            try aad.withUnsafeMutableBufferPointer { data in
                var parameters = CK_GCM_PARAMS(pIv: iv.baseAddress, ulIvLen: 12, ulIvBits: 96, pAAD: data.baseAddress,
                                               ulAADLen: aadLength, ulTagBits: 128)
                try withUnsafeMutablePointer(to: &parameters) { pointer in
                    var mechanism = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(CKM_AES_GCM), pParameter: UnsafeMutableRawPointer(pointer),
                                                 ulParameterLen: CK_ULONG(MemoryLayout<CK_GCM_PARAMS>.size))
                    try body(&mechanism)
                }
            }
        }
    }

    /// Creates an AES-256 key in the token: stored on it, sensitive, never extractable, for
    /// encryption and decryption only, private to the logged-in user. Needs a read-write session.
    func generateKey(label: String) throws -> CK_OBJECT_HANDLE {
        let yes = PKCS11Template.bool(true), no = PKCS11Template.bool(false)
        let template = PKCS11Template([
            (CKA_CLASS, PKCS11Template.ulong(CKO_SECRET_KEY)), (CKA_KEY_TYPE, PKCS11Template.ulong(CKK_AES)),
            (CKA_VALUE_LEN, PKCS11Template.ulong(32)), (CKA_TOKEN, yes), (CKA_PRIVATE, yes), (CKA_SENSITIVE, yes),
            (CKA_EXTRACTABLE, no), (CKA_ENCRYPT, yes), (CKA_DECRYPT, yes), (CKA_WRAP, no), (CKA_UNWRAP, no),
            (CKA_LABEL, Array(label.utf8)),
        ])
        var mechanism = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(CKM_AES_KEY_GEN), pParameter: nil, ulParameterLen: 0)
        var key: CK_OBJECT_HANDLE = 0
        try template.withAttributes { attributes, count in
            try check(module.functions.C_GenerateKey!(handle, &mechanism, attributes, count, &key), "C_GenerateKey")
        }
        return key
    }

    /// A boolean attribute of `object`, nil if the token does not say.
    func bool(_ attribute: CK_ATTRIBUTE_TYPE, of object: CK_OBJECT_HANDLE) -> Bool? {
        var value: CK_BBOOL = 0
        let rv = withUnsafeMutablePointer(to: &value) { pointer -> CK_RV in
            var template = CK_ATTRIBUTE(type: attribute, pValue: UnsafeMutableRawPointer(pointer), ulValueLen: 1)
            return module.functions.C_GetAttributeValue!(handle, object, &template, 1)
        }
        guard rv == CKR_OK else { return nil }
        return value != 0
    }

    /// Asks the token for the key's value (CKA_VALUE); returns the return value, which for a
    /// sensitive key must not be CKR_OK (then nothing of the value was given).
    func askForValue(of object: CK_OBJECT_HANDLE) -> (rv: CK_RV, bytes: Int) {
        var buffer = [UInt8](repeating: 0, count: 64)
        let rv = buffer.withUnsafeMutableBytes { raw -> CK_RV in
            var template = CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(CKA_VALUE), pValue: raw.baseAddress, ulValueLen: CK_ULONG(raw.count))
            return module.functions.C_GetAttributeValue!(handle, object, &template, 1)
        }
        return (rv, rv == CKR_OK ? buffer.count : 0)
    }

    private func check(_ rv: CK_RV, _ call: String) throws {
        try Self.check(rv, call, module: module, token: token)
    }

    static func check(_ rv: CK_RV, _ call: String, module: PKCS11Module, token: String? = nil) throws {
        guard rv != CKR_OK else { return }
        let place = token.map { "PKCS#11 token \($0.debugDescription)" } ?? "PKCS#11 module \(module.path)"
        throw PKCS11Error("\(call) failed on \(place): \(PKCS11Error.name(rv))", rv: rv)
    }
}
