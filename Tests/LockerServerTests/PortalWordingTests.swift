import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import LockerCore
import Testing
@testable import LockerServer

@Suite("Portal wording")
struct PortalWordingTests {
    let cowin = TestIssuer(id: "in.gov.cowin")
    let board = TestIssuer(id: "in.gov.cbse")

    @Test("times read as people read them, in the configured zone")
    func humanTime() throws {
        let date = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z
        #expect(HumanTime(timeZone: try #require(TimeZone(identifier: "Asia/Kolkata"))).string(date) == "15 Jan 2027, 1:30 pm IST")
        #expect(HumanTime(timeZone: try #require(TimeZone(identifier: "UTC"))).string(date).hasPrefix("15 Jan 2027, 8:00 am"))
        #expect(HumanTime(timeZone: try #require(TimeZone(identifier: "America/New_York"))).string(date).hasPrefix("15 Jan 2027, 3:00 am"))
        #expect(HumanTime.day("2026-11-01") == "1 Nov 2026")
        #expect(HumanTime.day("soon") == "soon")
    }

    @Test("document types show their names, falling back to the code; plurals read right")
    func names() {
        #expect(DocTypeNames.name("VACER") == "Vaccination certificate")
        #expect(DocTypeNames.name("MARKS") == "Marksheet")
        #expect(DocTypeNames.name("ZZZZZ") == "ZZZZZ")
        #expect(DocTypeNames.phrase("VACER") == "vaccination certificate")
        #expect(DocTypeNames.phrase("PANCR") == "PAN card")
        #expect(DocTypeNames.phrase("ZZZZZ") == "ZZZZZ document")
        #expect(Plural.count(1, "entry", "entries") == "1 entry")
        #expect(Plural.count(2, "entry", "entries") == "2 entries")
        #expect(Plural.count(0, "document") == "0 documents")
        #expect(Plural.count(1, "document") == "1 document")
    }

    @Test("the home page names document types, shows human dates, and offers a status share only where there is a status")
    func home() async throws {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN")
        try h.register(board, name: "CBSE")
        let mobile = "+919800011188"
        try await h.app().test(.router) { client in
            let vacer = try await client.push(cowin, Harness.pushBody(cowin, metadata: Harness.vacer(mobile, docId: "W1"), content: Array("%PDF-1.7 w".utf8)))
            let marks = try await client.push(board, Harness.pushBody(board, metadata: ["mobile": mobile, "docType": "MARKS", "docId": "M1", "issuedOn": "2026-05-20",
                                                                                       "claims": ["name": "Asha Verma", "total": 480]], content: Array("%PDF-1.7 m".utf8)))
            let vacerID = try jsonObject(vacer)["id"] as! String
            let marksID = try jsonObject(marks)["id"] as! String
            let (cookies, home) = try await PortalTests().portalSignIn(client, h, mobile: mobile)
            #expect(home.contains("Vaccination certificate · CoWIN") && home.contains("Marksheet · CBSE"))
            #expect(!home.contains(">VACER") && !home.contains(">MARKS"))
            #expect(home.contains("Issued 1 Nov 2026") && home.contains("Issued 20 May 2026"))
            #expect(home.contains("15 Jan 2027, 1:30 pm IST"), "activity times in India's zone")
            #expect(!home.contains(">2027-01-15T"), "no RFC 3339 text")
            #expect(home.contains("CoWIN added your vaccination certificate") && home.contains("CBSE added your marksheet"))
            func card(_ id: String) throws -> Substring {
                let start = try #require(home.range(of: "id=\"doc-\(id)\""))
                let end = home[start.upperBound...].range(of: "</li>")?.lowerBound ?? home.endIndex
                return home[start.lowerBound..<end]
            }
            #expect(try card(vacerID).contains("value=\"status\""), "a vaccination certificate offers its status")
            #expect(try !card(marksID).contains("value=\"status\""), "a marksheet has no vaccination status to share")
            let csrf = try #require(hiddenField("csrf", in: home))
            let created = try await client.form("/portal/shares", [("csrf", csrf), ("documentId", marksID), ("label", "College"), ("hours", "24"), ("maxUses", "1")], cookies: cookies)
            #expect(String(buffer: created.body).contains("can use it once until 16 Jan 2027, 1:30 pm IST"))
        }
    }
}
