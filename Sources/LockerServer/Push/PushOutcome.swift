/// What a push did: stored a new document, found the same bytes already stored, or stored a
/// new version of a document.
enum PushOutcome: String, Sendable { case created, unchanged, updated }
