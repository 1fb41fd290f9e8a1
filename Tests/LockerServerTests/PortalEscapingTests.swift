import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import LockerCore
import Testing
@testable import LockerServer

/// A quote followed by a combining acute accent: one grapheme, so escaping per `Character`
/// misses the quote and the rest becomes an attribute.
let combiningQuote = "\"\u{301} onfocus=x"

/// Whether `html` holds a raw `"` followed by U+0301, compared as bytes (String comparison
/// works on graphemes and would hide exactly this).
func holdsRawCombiningQuote(_ html: String) -> Bool {
    Array(html.utf8).contains(subsequence: [0x22, 0xCC, 0x81])
}

@Suite("Escaping on pages")
struct PortalEscapingTests {
    let cowin = TestIssuer(id: "in.gov.cowin")

    @Test("escaping works per Unicode scalar: a quote with a combining mark is escaped too")
    func scalarEscape() {
        #expect(HTMLText.escape(combiningQuote) == "&quot;\u{301} onfocus=x")
        #expect(HTMLText.escape("<a href='x'>&</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;")
        #expect(EmbedPage.escape(combiningQuote) == "&quot;\u{301} onfocus=x")
        let rendered = PortalPage.html("signin", ["title": "Sign in", "csrf": combiningQuote, "error": combiningQuote, "mobile": combiningQuote])
        #expect(!holdsRawCombiningQuote(rendered))
        #expect(rendered.contains("value=\"&quot;\u{301} onfocus=x\""))
        let embed = EmbedPage.page(requestID: combiningQuote, verifierName: combiningQuote, purpose: combiningQuote, targetOrigin: combiningQuote)
        #expect(!holdsRawCombiningQuote(embed))
    }

    @Test("no template prints a value with Mustache's own per-grapheme escaping")
    func templatesUseScalarEscapingOnly() throws {
        let templates = [PortalTemplates.layout, PortalTemplates.signin, PortalTemplates.otp, PortalTemplates.home,
                         PortalTemplates.shared, PortalTemplates.message, PortalTemplates.link]
        let doubleBrace = try Regex(#"\{\{[A-Za-z]"#)
        for template in templates {
            let withoutTriple = template.replacingOccurrences(of: "{{{", with: "")
            #expect(withoutTriple.firstMatch(of: doubleBrace) == nil, "use {{{x}}} with pre-escaped values")
        }
    }

    @Test("a combining-mark quote in every echoed field stays text: mobile, challenge id, share label")
    func echoedFields() async throws {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN")
        try await h.app().test(.router) { client in
            let start = try await client.page("/", cookies: [:])
            let pre = setCookies(start).values
            let csrf = try #require(hiddenField("csrf", in: String(buffer: start.body)))
            // An invalid mobile is refused and not echoed into the form at all.
            let badMobile = try await client.form("/portal/sign-in", [("csrf", csrf), ("mobile", combiningQuote)], cookies: pre)
            #expect(badMobile.status == .badRequest)
            let badMobileHTML = String(buffer: badMobile.body)
            #expect(!holdsRawCombiningQuote(badMobileHTML) && !badMobileHTML.contains("onfocus"))
            #expect(badMobileHTML.contains("value=\"\""), "the mobile field comes back empty")
            // An invalid challenge id is not echoed either.
            let badChallenge = try await client.form("/portal/verify", [("csrf", csrf), ("challengeId", combiningQuote), ("otp", "123456")], cookies: pre)
            let badChallengeHTML = String(buffer: badChallenge.body)
            #expect(!holdsRawCombiningQuote(badChallengeHTML) && !badChallengeHTML.contains("onfocus"))

            // A share label is the citizen's own text: shown, escaped, on the link page and at home.
            let pushed = try await client.push(cowin, Harness.pushBody(cowin, metadata: Harness.vacer("+919800011177", docId: "E1"), content: Array("%PDF-1.7 e".utf8)))
            let documentID = try jsonObject(pushed)["id"] as! String
            let (cookies, home) = try await PortalTests().portalSignIn(client, h, mobile: "+919800011177")
            let sessionCSRF = try #require(hiddenField("csrf", in: home))
            let created = try await client.form("/portal/shares", [("csrf", sessionCSRF), ("documentId", documentID), ("label", combiningQuote),
                                                                   ("hours", "24"), ("maxUses", "1"), ("scope", "document")], cookies: cookies)
            #expect(created.status == .ok)
            let createdHTML = String(buffer: created.body)
            #expect(!holdsRawCombiningQuote(createdHTML))
            #expect(createdHTML.contains("&quot;\u{301} onfocus=x"))
            let after = String(buffer: try await client.page("/", cookies: cookies).body)
            #expect(!holdsRawCombiningQuote(after))
            #expect(after.contains("&quot;\u{301} onfocus=x"))
        }
    }
}
