import Foundation
import LockerCore
import LockerStore
import Logging
import ServiceLifecycle

/// Asks pull issuers again about requests they answered "pending" (status 9): every 10 s it
/// takes the due ones; the first retry comes 15 s after the request, then each waits 2, 4, 8 … up to 60 minutes. An issued answer
/// replaces the sealed search with the URI; "no such document" or another person's document
/// ends the request (in the citizen's activity); a failure is tried again later.
struct PullRetrier: Service {
    let services: LockerServices
    let logger: Logger
    var interval: Duration = .seconds(10)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await retryDue()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func retryDue() async {
        let pull = services.pull
        guard let due = try? services.storage.duePulls(now: services.clock(), limit: 50) else { return }
        for var record in due {
            let now = services.clock()
            guard let issuer = try? services.storage.pullIssuer(id: record.issuerID), !issuer.disabled,
                  let citizen = try? services.vault.records.citizen(id: record.ownerID), let sealed = record.requestSealed,
                  let plain = try? services.vault.openPullSecret(sealed, field: "pull-request", ownerID: record.id),
                  let fields = try? JSONDecoder().decode([String: String].self, from: Data(plain)) else {
                // Not askable now (issuer disabled, …): later, so it never blocks the others' turn.
                try? await reschedule(&record, at: now)
                continue
            }
            do {
                if let uri = try await pull.askForURI(issuer: issuer, citizen: citizen, docType: record.docType, fields: fields) {
                    record.uri = uri
                    record.status = .issued
                    record.requestSealed = nil
                    record.nextTryAt = nil
                    record.updatedAt = now
                    if try await !services.storage.savePulled(record, audit: pull.auditEntry("document.pull-linked", record, issuer: issuer, actor: "system", at: now)) {
                        _ = try await services.storage.deletePulled(id: record.id, ownerID: record.ownerID,
                                                                    audit: pull.auditEntry("document.pull-failed", record, issuer: issuer, actor: "system", at: now, extra: ["reason": "duplicate"]))
                    }
                    continue
                }
                try await reschedule(&record, at: now)
            } catch let failure as PullFailure where failure == .notAtIssuer || failure == .personMismatch {
                let reason = failure == .notAtIssuer ? "not-at-issuer" : "person-mismatch"
                _ = try? await services.storage.deletePulled(id: record.id, ownerID: record.ownerID,
                                                             audit: pull.auditEntry("document.pull-failed", record, issuer: issuer, actor: "system", at: now, extra: ["reason": reason]))
            } catch {
                logger.info("pull issuer retry failed; will try again", metadata: ["issuer": "\(issuer.id)"])
                try? await reschedule(&record, at: now)
            }
        }
    }

    private func reschedule(_ record: inout PulledDocumentRecord, at now: Date) async throws {
        record.attempts += 1
        record.nextTryAt = now.addingTimeInterval(min(60 * pow(2, Double(min(record.attempts, 6))), 3600))
        record.updatedAt = now
        _ = try await services.storage.savePulled(record, audit: nil)
    }
}
