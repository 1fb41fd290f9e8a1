import Foundation
import Mustache

/// The portal's pages as Mustache templates, resource files in `Resources/portal/*.mustache`
/// read once at start. Every value is escaped before rendering, per Unicode scalar
/// (`HTMLText.escapeContext`), and printed with the raw triple-brace form only: Mustache's own
/// double-brace escaping works per grapheme and lets a quote followed by a combining mark
/// through. A shared `layout` partial gives every page the same head and the stylesheet and
/// script from `/portal/…` (no inline code, so the CSP can forbid it).
enum PortalTemplates {
    static let names = ["layout", "signin", "otp", "home", "shared", "message", "link", "continue", "consent", "card", "check"]

    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for name in names { try! library.register(text(name), named: name) }
        return library
    }()

    static let layout = text("layout")
    static let signin = text("signin")
    static let otp = text("otp")
    static let home = text("home")
    static let shared = text("shared")
    static let message = text("message")
    static let link = text("link")

    /// A template's text from the bundle; a missing resource is a broken build, so it stops here.
    static func text(_ name: String) -> String {
        PortalResource.text(name, withExtension: "mustache")
    }
}
