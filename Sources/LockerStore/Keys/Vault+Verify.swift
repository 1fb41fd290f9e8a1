import Foundation
import LockerCore

extension Vault {
    /// Opens every citizen's data key, every signing key, and every document's content key
    /// (and, if `deep`, decrypts every document to its end): proof that a rotation or rekey
    /// left everything readable.
    public func verifyKeys(deep: Bool, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> KeyVerification {
        try refreshKeyring()
        let ring = keyring
        var report = KeyVerification(dataKeys: 0, signingKeys: 0, documents: 0, failures: [])
        let total = try records.citizenCount(notUnder: nil)
        var lastRowID: Int64 = 0
        while true {
            let citizens = try records.citizens(after: lastRowID, notUnder: nil, limit: 4096)
            guard let last = citizens.last else { break }
            lastRowID = last.cursor
            for (_, citizen) in citizens {
                report.dataKeys += 1
                guard let key = try? ring.unwrapDataKey(citizen.wrappedDataKey, ownerID: citizen.id) else {
                    report.failures.append("data key of citizen \(citizen.id) (v\(citizen.kekVersion)) does not open")
                    continue
                }
                if (try? FieldSeal.open([UInt8](citizen.mobileSealed), key: key, field: "mobile", ownerID: citizen.id)) == nil {
                    report.failures.append("sealed mobile of citizen \(citizen.id) does not open")
                }
            }
            progress(report.dataKeys, total)
        }
        let documents = try records.allDocuments()
        for document in documents {
            report.documents += 1
            do {
                guard let owner = try records.citizen(id: document.ownerID), owner.dekVersion == document.dekVersion else {
                    report.failures.append("document \(document.id): owner's data key version differs")
                    continue
                }
                let key = try ring.unwrapDataKey(owner.wrappedDataKey, ownerID: owner.id)
                let contentKey = try KeyWrap.unwrap([UInt8](document.contentKeyWrapped), under: key, aad: KeyWrap.contentKeyAAD(context: document.envelopeContext))
                if deep {
                    let reader = try DocumentReader(blob: openBlob(document.blobID, plaintextSize: document.size), contentKey: contentKey, context: document.envelopeContext)
                    _ = try reader.readAll()
                }
            } catch {
                report.failures.append("document \(document.id) does not open")
            }
        }
        let signing = try records.signingKeys()
        for record in signing {
            report.signingKeys += 1
            let opens = record.alg == SigningKeyRecord.es256 ? (try? cardPrivateKey(of: record)) != nil : (try? privateKey(of: record)) != nil
            if !opens { report.failures.append("signing key \(record.kid) (v\(record.kekVersion)) does not open") }
        }
        return report
    }
}
