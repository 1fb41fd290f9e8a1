import Foundation

extension LockerConfig {
    /// `lockerd --help`: every flag, with its environment variable and JSON key.
    public static let usage = """
        usage: lockerd [options]

        Serves the Locker API. Settings come from flags, then LOCKER_* environment variables,
        then the JSON config file, then the defaults. Each flag may be given once.

          --config FILE  (LOCKER_CONFIG)
                the JSON config file (default Config/lockerd.json)
          --host HOST  (LOCKER_HOST, host)
                bind address (default 127.0.0.1)
          --port PORT  (LOCKER_PORT, port)
                TCP port, 1-65535 (default 8080)
          --storage DIR  (LOCKER_STORAGE, storage)
                storage folder (default Storage)
          --database postgres://USER[:PASSWORD]@HOST[:PORT]/DB  (LOCKER_DATABASE, database)
                run on a shared PostgreSQL so several lockerd nodes serve one vault
                (default: the embedded SQLite under --storage)
          --root-key-file FILE  (LOCKER_ROOT_KEY_FILE, rootKeyFile)
                32-byte key, mode 0600, sealing the key ring kept in PostgreSQL;
                with --database, the same file on every node
          --root-key 'pkcs11:token=T;object=K?module-path=M&pin-source=file:P'  (LOCKER_ROOT_KEY, rootKey)
                instead: the root key in an HSM (PIN from pin-source or LOCKER_HSM_PIN)
          --max-body-bytes N  (LOCKER_MAX_BODY_BYTES, maxBodyBytes)
                largest JSON or form body (default 65536)
          --log-level LEVEL  (LOCKER_LOG_LEVEL, logLevel)
                trace, debug, info, notice, warning, error, critical (default info)
          --metrics-port N  (LOCKER_METRICS_PORT, metricsPort)
                serve Prometheus metrics at http://127.0.0.1:N/metrics (default: off)
          --log-format FORMAT  (LOCKER_LOG_FORMAT, logFormat)
                text or json (one JSON object per line; default text)
          --max-document-bytes N  (LOCKER_MAX_DOCUMENT_BYTES, maxDocumentBytes)
                largest pushed document (default 10485760)
          --session-ttl S  (LOCKER_SESSION_TTL, sessionTTL)
                session lifetime in seconds (default 3600)
          --otp-per-mobile-per-hour N  (LOCKER_OTP_PER_MOBILE_PER_HOUR, otpPerMobilePerHour)
                OTPs per mobile number per hour (default 5)
          --otp-per-client-per-hour N  (LOCKER_OTP_PER_CLIENT_PER_HOUR, otpPerClientPerHour)
                OTP requests per client address per hour (default 20)
          --sms-gateway-url URL  (LOCKER_SMS_GATEWAY_URL, smsGatewayURL)
                HTTP gateway for SMS (default: Storage/outbox/sms.jsonl)
          --public-url URL  (LOCKER_PUBLIC_URL, publicURL)
                base of share links, iss of signed answers (default http://HOST:PORT,
                or https://HOST:PORT with --tls-cert)
          --tls-cert FILE  (LOCKER_TLS_CERT, tlsCert)
                PEM certificate, intermediates after it; with --tls-key, serve HTTPS
                only (HTTP/1.1 and HTTP/2 by ALPN); SIGHUP re-reads both files
          --tls-key FILE  (LOCKER_TLS_KEY, tlsKey)
                PEM private key of --tls-cert (default: none, plain HTTP)
          --audit-checkpoint-interval S  (LOCKER_AUDIT_CHECKPOINT_INTERVAL, auditCheckpointInterval)
                seconds between signed audit checkpoints while the log grows (default 300)
          --pull-timeout S  (LOCKER_PULL_TIMEOUT, pullTimeout)
                seconds a pull issuer has for its whole answer (default 10)
          --trusted-proxy CIDR,...  (LOCKER_TRUSTED_PROXY, trustedProxy)
                proxies whose X-Forwarded-For names the client for limits and the
                audit (default: none; the header is ignored)
          --max-connections N  (LOCKER_MAX_CONNECTIONS, maxConnections)
                open connections in all (default 4096; kept below the file limit)
          --max-connections-per-client N  (LOCKER_MAX_CONNECTIONS_PER_CLIENT, maxConnectionsPerClient)
                open connections from one IP address (default 256)
          --idle-timeout S  (LOCKER_IDLE_TIMEOUT, idleTimeout)
                seconds a connection may wait between requests (default 60)
          --header-timeout S  (LOCKER_HEADER_TIMEOUT, headerTimeout)
                seconds to send a request head (default 15)
          --body-timeout S  (LOCKER_BODY_TIMEOUT, bodyTimeout)
                seconds to send a request body (default 120)
          --send-timeout S  (LOCKER_SEND_TIMEOUT, sendTimeout)
                seconds an answer may go with none of it taken by the client (default 60)
          --time-zone ZONE  (LOCKER_TIME_ZONE, timeZone)
                IANA time zone the portal shows times in (default Asia/Kolkata)
          --blob-store s3://BUCKET?endpoint=URL&region=R  (LOCKER_BLOB_STORE, blobStore)
                keep sealed documents above 16 KiB in an S3-compatible object store
                (path-style, SigV4); small ones stay in the database. Optional
                &grace=SECONDS: age before an unreferenced object is swept (3600).
                Default: files under --storage
          --blob-credentials-file FILE  (LOCKER_BLOB_CREDENTIALS_FILE, blobCredentialsFile)
                the store's access key: KEY=VALUE lines or an AWS credentials file
                (default: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)
          --help
                print this text
        """
}
