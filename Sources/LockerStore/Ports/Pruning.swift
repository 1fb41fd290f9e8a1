import Foundation

/// How long expired rows are kept before pruning.
public enum Pruning {
    /// Twice the hour the OTP and KYC-VS request limits look back over.
    public static let keep: TimeInterval = 2 * 3600
}
