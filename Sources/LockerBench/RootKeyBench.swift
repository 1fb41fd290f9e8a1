import Crypto
import Foundation
import LockerStore

/// `locker-bench root-unwrap --root-key 'pkcs11:…' [--seconds S]`: KEK unwraps per second through
/// the HSM's PKCS#11 module (C_DecryptInit + C_Decrypt with CKM_AES_GCM, one session) against the
/// in-process AES-256-GCM of a root key file, in one run, on the same 32-byte keys and
/// associated data a key ring row has. Prints one JSON object.
enum RootKeyBench {
    static func run(arguments: [String], seconds: Double) throws {
        guard let i = arguments.firstIndex(of: "--root-key"), i + 1 < arguments.count else {
            FileHandle.standardError.write(Data("usage: locker-bench root-unwrap --root-key 'pkcs11:…' [--seconds S]\n".utf8))
            exit(2)
        }
        let hsm = try RootKeySource(arguments[i + 1]).open()
        let software = SoftwareRootKey(key: SymmetricKey(size: .bits256))
        let aad = Array("locker-root-wrap-v1|bench-vault|kek-1".utf8)
        let kek = (0..<32).map { _ in UInt8.random(in: 0...255) }
        var results: [[String: Any]] = []
        for (name, root) in [("hsm", hsm as any RootKeyWrapper), ("in-process", software)] {
            let sealed = try root.wrap(kek, authenticating: aad)
            results.append(try measure("unwrap-\(name)", bytesPerOp: 32, seconds: seconds) {
                let opened = try root.unwrap(sealed, authenticating: aad)
                precondition(opened == kek)
            })
            results.append(try measure("wrap-\(name)", bytesPerOp: 32, seconds: seconds) {
                _ = try root.wrap(kek, authenticating: aad)
            })
        }
        func perSecond(_ op: String) -> Double {
            guard let r = results.first(where: { $0["op"] as? String == op }), let ops = r["ops"] as? Int, let secs = r["seconds"] as? Double else { return 0 }
            return Double(ops) / secs
        }
        let summary: [String: Any] = [
            "root": hsm.name,
            "hsmUnwrapsPerSecond": perSecond("unwrap-hsm").rounded(), "inProcessUnwrapsPerSecond": perSecond("unwrap-in-process").rounded(),
            "inProcessOverHSM": ((perSecond("unwrap-in-process") / max(perSecond("unwrap-hsm"), 1)) * 10).rounded() / 10,
            "results": results,
        ]
        let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
