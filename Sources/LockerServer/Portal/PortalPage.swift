import Foundation
import Hummingbird
import HTTPTypes

/// Rendering and the headers every portal page carries.
enum PortalPage {
    /// Script and style only from this origin, no inline code, no framing, no referrer.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    static func headers(type: String) -> HTTPFields {
        [
            .contentType: type, .cacheControl: "no-store", .contentSecurityPolicy: contentSecurityPolicy,
            HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("Referrer-Policy")!: "no-referrer",
            HTTPField.Name("X-Frame-Options")!: "DENY",
        ]
    }

    /// Renders a page; every string in `context` is HTML-escaped per Unicode scalar first.
    static func render(_ template: String, _ context: [String: Any], status: HTTPResponse.Status = .ok,
                       headers fields: HTTPFields = PortalPage.headers(type: "text/html; charset=utf-8")) -> Response {
        Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: html(template, context))))
    }

    /// The page's HTML alone.
    static func html(_ template: String, _ context: [String: Any]) -> String {
        PortalTemplates.library.render(HTMLText.escapeContext(context), withTemplate: template) ?? ""
    }

    static func message(_ heading: String, _ text: String, isError: Bool, status: HTTPResponse.Status, csrf: String? = nil) -> Response {
        render("message", ["title": heading, "heading": heading, "text": text, "isError": isError, "signedIn": csrf != nil, "csrf": csrf ?? ""], status: status)
    }

    static func forbidden() -> Response {
        message("Please try again", "This form has expired or did not come from Locker. Go back, reload the page and send it again.", isError: true, status: .forbidden)
    }

    static func redirect(_ location: String) -> Response {
        var fields = headers(type: "text/plain; charset=utf-8")
        fields[.location] = location
        return Response(status: .seeOther, headers: fields)
    }

    static func asset(_ text: String, type: String) -> Response {
        var fields = headers(type: type)
        fields[.cacheControl] = "public, max-age=300"
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
