import Foundation
import Hummingbird
import HTTPTypes
import LockerCore
import LockerStore

/// The pages a share link's holder sees (`GET /s/{token}`, and the answers to its form when a
/// browser posts it), in the portal's layout. No script at all, a strict CSP, no referrer, no
/// framing.
enum SharePage {
    /// The portal's stylesheet, no script.
    static let contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    static var headers: HTTPFields {
        var fields = PortalPage.headers(type: "text/html; charset=utf-8")
        fields[.contentSecurityPolicy] = contentSecurityPolicy
        return fields
    }

    /// Whether the client asked for a page (the link page's form, as a browser sends it)
    /// rather than `application/problem+json`.
    static func wantsHTML(_ request: Request) -> Bool {
        request.headers[values: .accept].contains { $0.lowercased().contains("text/html") }
    }

    /// What the link holds and a button that redeems it; `error` (with its status) when a
    /// passcode was wrong.
    static func page(token: String, share: ShareRecord, docType: String, issuerName: String, timeZone: TimeZone,
                     error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let usesLeft = share.maxUses - share.usesSpent
        let context: [String: Any] = [
            "title": "Shared certificate", "noScript": true, "error": error ?? false,
            "docName": DocTypeNames.name(docType), "issuerName": issuerName,
            "expiresAt": HumanTime(timeZone: timeZone).string(share.expiresAt), "expiresAtISO": Timestamp.string(share.expiresAt),
            "usesLeft": usesLeft, "token": token, "passcode": share.passcodeHash != nil,
            "what": share.scope == .document ? "the certificate itself" : "a signed statement of the certificate's status (not the certificate)",
        ]
        return PortalPage.render("link", context, status: status, headers: headers)
    }

    /// The one answer for unknown, expired, withdrawn, used-up, locked and revoked links alike.
    static func gone() -> Response {
        PortalPage.render("message", ["title": "Link not available", "heading": "This link does not work any more", "noScript": true, "noBack": true,
                                      "text": "This link is unknown, expired, used up or withdrawn. Ask the person who shared it for a new one.",
                                      "isError": true, "signedIn": false, "csrf": ""],
                          status: .notFound, headers: headers)
    }
}
