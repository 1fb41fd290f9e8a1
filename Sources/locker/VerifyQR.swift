import ArgumentParser
import Foundation
import LockerCore

/// `locker verify-qr IMAGE|TEXT`: the check a verifier at a counter with no network makes, with
/// the JWKS and revocation list it saved earlier. Reads no vault and fetches nothing.
struct VerifyQR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-qr",
        abstract: "Verify a QR code offline: a SMART Health Card (shc:/) or a Locker status code (locker:/).",
        discussion: """
            INPUT is the code's text (shc:/… or locker:/…), a PNG image of the code (read in-process with \
            libpng and zbar), a file holding the text, or - for standard input. Nothing is fetched: the keys \
            come from --jwks, a copy of <public URL>/.well-known/jwks.json saved earlier, and revocation from \
            --crl, a copy of <public URL>/.well-known/crl/<kid>.json.

            A SMART Health Card must be ES256 with zip DEF by the P-256 key its kid names, of type \
            https://smarthealth.cards#health-card, past its nbf, and (with --crl) its rid not listed. A status \
            code (a KYC-VS answer or a status-scope share statement, from a redemption or confirm asked with \
            "qr": true) must be Ed25519 with zip DEF by the status key its kid names, typ and kind agreeing, \
            unexpired (a minute of clock skew allowed), a share statement's aud locker:share-status and valid \
            true, and (with --audience) a KYC-VS answer's aud your verifier id. With --iss, either kind's iss \
            must be that URL: use it when you trust more than one deployment's keys.

            Prints the verdict (VALID, or INVALID with the reason: malformed, unknown-key, bad-signature, \
            wrong-type, wrong-issuer, wrong-audience, expired, not-yet-valid, revoked, not-valid, no-revocation-list) and \
            the claims once the signature verified.

            Exit status: 0 the code holds; 1 it does not; 2 the check could not be made (an unreadable file, \
            no QR code in the image, a JWKS or revocation list that is not one).
            """
    )

    @Argument(help: ArgumentHelp("The code's text, a PNG image of it, a file holding the text, or - (standard input).", valueName: "IMAGE|TEXT"))
    var input: String

    @Option(help: ArgumentHelp("The deployment's JWKS, saved from <public URL>/.well-known/jwks.json.", valueName: "file"))
    var jwks: String

    @Option(help: ArgumentHelp("A revocation list, saved from <public URL>/.well-known/crl/<kid>.json (repeatable). Without one, revocation is not checked.", valueName: "file"))
    var crl: [String] = []

    @Option(help: "For a KYC-VS answer: your verifier id; an answer for another verifier is refused.")
    var audience: String?

    @Option(help: ArgumentHelp("The deployment's public URL you trust (e.g. https://locker.example.in): a code whose iss differs is refused as wrong-issuer.", valueName: "url"))
    var iss: String?

    @Option(help: ArgumentHelp("Judge expiry and nbf at this instant (RFC 3339, e.g. 2026-12-06T10:00:00Z) instead of now.", valueName: "time"))
    var at: String?

    @Flag(help: "Print JSON for scripts: {valid, kind, kid, failure, detail, claims}.")
    var json = false

    func run() throws {
        let verdict: QRVerdict
        do {
            let keys = try JWKSet(json: try Self.read(jwks, what: "--jwks"))
            let lists = try crl.map { try RevocationList(json: try Self.read($0, what: "--crl")) }
            let now = try at.map { try Self.instant($0) } ?? Date()
            let context = OfflineVerifier.Context(jwks: keys, revocationLists: lists, now: now, audience: audience, issuer: iss)
            verdict = OfflineVerifier.verify(try QRInput.text(input), context: context)
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            throw ExitCode(2)
        } catch is JWKSet.Malformed {
            FileHandle.standardError.write(Data("Error: --jwks \(jwks) is not a JWK Set ({\"keys\": [...]})\n".utf8))
            throw ExitCode(2)
        } catch is RevocationList.Malformed {
            FileHandle.standardError.write(Data("Error: a --crl file is not a revocation list ({\"kid\", \"method\": \"rid\", \"rids\": [...]})\n".utf8))
            throw ExitCode(2)
        }
        try QRVerdictOutput(verdict: verdict).write(json: json)
        if !verdict.isValid { throw ExitCode.failure }
    }

    /// A file's bytes; at most 16 MiB, since JWKS and revocation lists are small.
    static func read(_ path: String, what: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("\(what) \(path): cannot read the file") }
        guard data.count <= 16 << 20 else { throw CLIError("\(what) \(path): larger than 16 MiB") }
        return [UInt8](data)
    }

    /// `--at` as an instant.
    static func instant(_ text: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = formatter.date(from: text) else { throw CLIError("--at \(text): use RFC 3339, e.g. 2026-12-06T10:00:00Z") }
        return date
    }
}
