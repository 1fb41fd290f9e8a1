import Metrics

/// What the services report to swift-metrics (no-ops unless lockerd runs with `--metrics-port`).
/// Labels are fixed words (kinds, outcomes, audit actions), never an id, a token or a number.
/// Pushes, downloads, redemptions and KYC-VS answers are counted by their audit action
/// (`locker_audit_events_total`, in the storage layer), so every audited event is counted once.
enum ServerMetrics {
    static let signInCodesSent = Counter(label: "locker_otp_sent_total", dimensions: [("kind", "sign-in")])
    static let consentCodesSent = Counter(label: "locker_otp_sent_total", dimensions: [("kind", "kyc-consent")])
    static let otpLockouts = Counter(label: "locker_otp_lockouts_total")
    static let smsFailures = Counter(label: "locker_sms_failures_total")
    static let databaseUnavailable = Counter(label: "locker_database_unavailable_total")
    static let rewrappedKeys = Counter(label: "locker_rewrapped_keys_total")
}
