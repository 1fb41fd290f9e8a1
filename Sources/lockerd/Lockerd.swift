import Foundation
import Hummingbird
import LockerCore
import LockerServer
import Logging

/// `lockerd`: reads configuration, opens the vault, serves until SIGTERM or SIGINT.
/// Any start-up problem is one line on standard error and exit status 1, before data is touched.
@main
struct Lockerd {
    static func main() async {
        AllocatorTuning.apply()
        // LOCKER_EXECUTOR=cooperative keeps Swift's default thread pool (see ServerExecutor).
        ServerExecutor.applyLoopCount(ProcessInfo.processInfo.environment["LOCKER_EVENT_LOOPS"])
        if ProcessInfo.processInfo.environment["LOCKER_EXECUTOR"] != "cooperative" { ServerExecutor.adoptEventLoops() }
        let arguments = CommandLine.arguments
        if arguments.contains("--help") || arguments.contains("-h") {
            print(usage)
            return
        }
        let config: LockerConfig
        do {
            config = try await LockerConfig.load(arguments: arguments)
        } catch {
            fail("\(error)")
        }
        LoggingSystem.bootstrap { label in
            if config.logFormat == "json" { return JSONLogHandler(label: label, level: config.logLevel) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = config.logLevel
            return handler
        }
        let logger = Logger(label: "lockerd")
        do {
            let metrics = config.metricsPort != nil ? MetricsEndpoint.bootstrap() : nil
            let app = try await buildApplication(config: config, logger: logger, metrics: metrics)
            try await app.runService()
        } catch {
            fail("\(error)")
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("lockerd: error: \(message)\n".utf8))
        exit(1)
    }

    static let usage = LockerConfig.usage
}
