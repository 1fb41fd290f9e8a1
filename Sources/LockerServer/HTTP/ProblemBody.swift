/// The JSON body of a problem (RFC 9457): `type`, `title`, `status`, and `detail` when there
/// is one (left out, not null, when there is none).
struct ProblemBody: Encodable {
    let type: String
    let title: String
    let status: Int
    let detail: String?
}
