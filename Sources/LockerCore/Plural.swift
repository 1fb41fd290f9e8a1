/// Counts in words that read right: "1 entry", "2 entries", "0 documents".
public enum Plural {
    /// `count` and the noun in the matching number; `plural` defaults to `singular + "s"`.
    public static func count(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
    }
}
