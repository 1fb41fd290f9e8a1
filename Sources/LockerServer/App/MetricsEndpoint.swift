import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus

/// `--metrics-port`: Prometheus' text format at `GET /metrics`, on a listener of its own bound
/// to 127.0.0.1 (a scraper or agent on the machine reads it; it is never on the public port).
/// Labels hold route templates, methods, statuses and outcomes — never a token, an id or a number.
public enum MetricsEndpoint {
    /// Installs Prometheus as swift-metrics' backend; call once, first thing, when metrics are on.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
                                                   .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                                   .milliseconds(500), .seconds(1), .seconds(5)]
        factory.valueHistogramBuckets = ["locker_commit_batch_size": [1, 2, 4, 8, 16, 32, 64, 128, 256]]
        // swift-metrics labels use dots (Hummingbird's `hb.requests`); Prometheus names may not.
        factory.nameAndLabelSanitizer = { name, labels in
            (name.replacingOccurrences(of: ".", with: "_"), labels.map { ($0.0.replacingOccurrences(of: ".", with: "_"), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
        return registry
    }

    /// The listener serving `registry` on 127.0.0.1:`port`.
    static func application(registry: PrometheusCollectorRegistry, port: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "lockerd-metrics"), logger: logger)
    }
}
