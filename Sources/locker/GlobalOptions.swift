import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Storage folder (default: $LOCKER_STORAGE, else ./Storage).")
    var storage: String?

    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    var layout: StorageLayout {
        StorageLayout(root: storage ?? ProcessInfo.processInfo.environment["LOCKER_STORAGE"] ?? "Storage")
    }
}
