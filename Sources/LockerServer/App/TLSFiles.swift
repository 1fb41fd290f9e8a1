/// Where `lockerd`'s TLS certificate and private key live (`--tls-cert`, `--tls-key`): PEM files,
/// the certificate file holding the server's certificate first and any intermediates after it.
/// Both are read at start-up and again on every SIGHUP (`TLSCertificates`).
public struct TLSFiles: Sendable, Equatable {
    /// The certificate (chain) file, absolute.
    public var certificate: String
    /// The private key file, absolute.
    public var key: String

    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}
