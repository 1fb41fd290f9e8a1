import Foundation

/// The payload of a SMART Health Card for a vaccination certificate: `iss`, `nbf` and a `vc`
/// whose credential subject is a minimal FHIR R4 collection Bundle (a Patient and one
/// Immunization per dose received). It carries the name, the birth date if the issuer gave
/// one, and the doses; never the mobile number or anything else the claims hold.
public enum HealthCardPayload {
    /// The credential types of a COVID-19 immunization card.
    public static let types = [
        "https://smarthealth.cards#health-card",
        "https://smarthealth.cards#immunization",
        "https://smarthealth.cards#covid19",
    ]

    /// CVX code (http://hl7.org/fhir/sid/cvx) for the vaccine names issuers push: COVISHIELD
    /// is 210 (AstraZeneca ChAdOx1), COVAXIN 502, anything else 213 (SARS-CoV-2, unspecified).
    public static func cvx(_ vaccine: String?) -> String {
        switch (vaccine ?? "").uppercased() {
        case "COVISHIELD": "210"
        case "COVAXIN": "502"
        default: "213"
        }
    }

    /// Minified payload JSON for one certificate's claims.
    public static func json(issuer: String, notBefore: Date, revocationID: String, claims: [String: ClaimValue]) throws -> [UInt8] {
        let payload: [String: Any] = [
            "iss": issuer,
            "nbf": Int(notBefore.timeIntervalSince1970),
            "vc": [
                "type": types,
                "credentialSubject": ["fhirVersion": "4.0.1", "fhirBundle": bundle(claims)] as [String: Any],
                "rid": revocationID,
            ] as [String: Any],
        ]
        return [UInt8](try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// The FHIR collection Bundle: `resource:0` the Patient, then the Immunizations.
    static func bundle(_ claims: [String: ClaimValue]) -> [String: Any] {
        let vaccination = VaccinationClaims(claims)
        var patient: [String: Any] = ["resourceType": "Patient", "name": [humanName(vaccination.name ?? "")]]
        if let birthDate = claims["birthDate"]?.string ?? claims["dob"]?.string, Validate.date(birthDate) {
            patient["birthDate"] = birthDate
        }
        var entries: [[String: Any]] = [["fullUrl": "resource:0", "resource": patient]]
        let doses = vaccination.dosesReceived ?? 0
        if doses > 0, let lastDoseOn = vaccination.lastDoseOn {
            for dose in 1...doses {
                // The claims date only the last dose. SMART Health Cards require an
                // occurrenceDateTime on every Immunization, and nothing better exists for the
                // earlier doses, so they carry the last dose's date too.
                let immunization: [String: Any] = [
                    "resourceType": "Immunization",
                    "status": "completed",
                    "vaccineCode": ["coding": [["system": "http://hl7.org/fhir/sid/cvx", "code": cvx(vaccination.vaccine)]]],
                    "patient": ["reference": "resource:0"],
                    "occurrenceDateTime": lastDoseOn,
                ]
                entries.append(["fullUrl": "resource:\(dose)", "resource": immunization])
            }
        }
        return ["resourceType": "Bundle", "type": "collection", "entry": entries]
    }

    /// A FHIR HumanName: the name as written, and the last word as family name for verifier
    /// apps that show family and given names.
    static func humanName(_ name: String) -> [String: Any] {
        let words = name.split(separator: " ").map(String.init)
        var human: [String: Any] = ["text": name]
        if let family = words.last {
            human["family"] = family
            if words.count > 1 { human["given"] = Array(words.dropLast()) }
        }
        return human
    }
}
