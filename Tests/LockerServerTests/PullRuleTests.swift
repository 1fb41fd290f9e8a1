import Foundation
import Testing
@testable import LockerServer

/// The pull-through rules that decide whether an issuer's answer is used at all.
@Suite("Pull issuer answers")
struct PullRuleTests {
    typealias Person = PullAnswer.Person
    let mobile = "9876543210"

    @Test("a phone the issuer sends must match, masked ones too; a name alone is checked only without a phone")
    func samePerson() {
        func same(_ person: Person, name: String? = "Asha Verma") -> Bool { PullService.samePerson([person], mobile10: mobile, fullName: name) }
        #expect(same(Person(name: "ASHA  verma", phone: "+91 98765 43210")))
        #expect(same(Person(name: nil, phone: "XXXXXX3210")))
        #expect(!same(Person(name: "Asha Verma", phone: "XXXXXX9999")), "a masked phone that differs refuses, whatever the name")
        #expect(!same(Person(name: "Asha Verma", phone: "XX10")), "fewer than four digits prove nothing")
        #expect(same(Person(name: "Asha Verma", phone: nil)))
        #expect(!same(Person(name: "Ravi Kumar", phone: "9876543210")), "a phone match does not excuse another name")
        #expect(!same(Person(name: nil, phone: nil)), "nothing to compare")
        #expect(!same(Person(name: "Asha Verma", phone: nil), name: nil))
    }

    @Test("answers with a DTD, an entity or in another encoding are refused before anything is read")
    func hostileAnswers() {
        let ok = #"<PullDocResponse><ResponseStatus Status="1" ts="t" txn="x">1</ResponseStatus></PullDocResponse>"#
        #expect((try? PullAnswer.parse(Data(ok.utf8)))?.status == "1")
        let dtd = #"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]>"# + ok
        #expect(throws: PullFailure.self) { try PullAnswer.parse(Data(dtd.utf8)) }
        #expect(throws: PullFailure.self) { try PullAnswer.parse(dtd.data(using: .utf16)!) }
        #expect(throws: PullFailure.self) { try PullAnswer.parse(Data("<PullDocResponse>".utf8)) }
    }
}
