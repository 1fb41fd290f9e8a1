import Foundation
import FoundationXML

/// An issuer's `PullURIResponse` or `PullDocResponse`, read with XMLParser after the raw bytes
/// were refused if they carry any DTD (`<!DOCTYPE`, `<!ENTITY`): no external entities, no entity
/// expansion, whatever the parser's own defaults.
struct PullAnswer: Sendable {
    struct Person: Sendable { var name: String?; var phone: String? }

    var root = ""
    var status: String?
    var ts: String?
    var txn: String?
    var uri: String?
    var persons: [Person] = []
    var docContent: String?

    static func parse(_ body: Data) throws -> PullAnswer {
        // UTF-8 only: another encoding (UTF-16, a byte-order mark) would hide a DTD from the byte search below.
        guard !body.starts(with: [0xFE, 0xFF]), !body.starts(with: [0xFF, 0xFE]), !body.contains(0), String(data: body, encoding: .utf8) != nil else {
            throw PullFailure.issuerFailed("the answer is not UTF-8 XML")
        }
        for marker in ["<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity"] where body.range(of: Data(marker.utf8)) != nil {
            throw PullFailure.issuerFailed("the answer declares a DTD, which Locker never reads")
        }
        let reader = Reader()
        let parser = XMLParser(data: body)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = reader
        guard parser.parse(), !reader.declaredEntity, reader.answer.status != nil else { throw PullFailure.issuerFailed("the answer is not a well-formed DigiLocker response") }
        return reader.answer
    }

    /// Collects the few elements Locker reads; element names are matched without a namespace prefix.
    final class Reader: NSObject, XMLParserDelegate {
        var answer = PullAnswer()
        var declaredEntity = false
        var path: [String] = []

        // Belt and braces: any entity declaration stops the parse.
        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
            declaredEntity = true
            parser.abortParsing()
        }

        func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
            declaredEntity = true
            parser.abortParsing()
        }
        var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            let local = name.split(separator: ":").last.map(String.init) ?? name
            if path.isEmpty { answer.root = local }
            path.append(local)
            text = ""
            switch local {
            case "ResponseStatus":
                answer.status = attributes["Status"] ?? attributes["status"]
                answer.ts = attributes["ts"]
                answer.txn = attributes["txn"]
            case "Person":
                answer.persons.append(Person(name: attributes["name"], phone: attributes["phone"]))
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let local = name.split(separator: ":").last.map(String.init) ?? name
            switch local {
            case "URI": answer.uri = text.trimmingCharacters(in: .whitespacesAndNewlines)
            case "DocContent": answer.docContent = text.filter { !$0.isWhitespace }
            case "ResponseStatus" where answer.status == nil: answer.status = text.trimmingCharacters(in: .whitespacesAndNewlines)
            default: break
            }
            text = ""
            path.removeLast()
        }
    }
}
