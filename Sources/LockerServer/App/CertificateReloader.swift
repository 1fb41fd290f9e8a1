import Foundation
import LockerCore
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP re-reads the TLS certificate and key (`TLSCertificates.reload`): new connections get
/// the new pair, open ones keep theirs, and a bad new file is logged while the old pair serves
/// on. Without TLS, a SIGHUP is logged and otherwise ignored (it no longer ends `lockerd`).
struct CertificateReloader: Service {
    let certificates: TLSCertificates?
    let signals: UnixSignalsSequence
    let logger: Logger

    /// Traps SIGHUP from now on: made before the server listens, so no early SIGHUP ends lockerd.
    static func trapping(certificates: TLSCertificates?, logger: Logger) async -> CertificateReloader {
        CertificateReloader(certificates: certificates, signals: await UnixSignalsSequence(trapping: .sighup), logger: logger)
    }

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            guard let certificates else {
                logger.notice("SIGHUP: nothing to reload (no --tls-cert)")
                continue
            }
            do {
                let loaded = try certificates.reload()
                logger.notice("SIGHUP: TLS certificate reloaded; new connections get it", metadata: Self.metadata(certificates.files, loaded))
            } catch {
                logger.error("SIGHUP: TLS certificate not reloaded; still serving the previous one", metadata: ["error": "\(error)"])
            }
        }
    }

    /// What the logs say of a loaded pair: the files, the leaf's serial and expiry.
    static func metadata(_ files: TLSFiles, _ loaded: TLSCertificates.Loaded) -> Logger.Metadata {
        ["certificate": "\(files.certificate)", "key": "\(files.key)", "serial": "\(loaded.serial)",
         "notValidAfter": "\(Timestamp.string(loaded.notValidAfter))"]
    }
}
