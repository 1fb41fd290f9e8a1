import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker`: the admin CLI. Works on the storage folder directly, so it runs whether or not
/// `lockerd` is up.
@main
struct Locker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locker",
        abstract: "Administer a Locker vault.",
        subcommands: [Keys.self, Citizens.self, Issuers.self, Verifiers.self, Documents.self, Audit.self, Admin.self, Push.self, VerifyQR.self, Partners.self, Migrate.self, Backup.self, Restore.self]
    )

    /// Accepts the global options anywhere (`locker --storage DIR keys status`, as the docs
    /// write it) by moving them after the subcommand path, where the leaf command parses them.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // A repeated --storage is an error, never a silent choice of one of them.
        if arguments.filter({ $0 == "--storage" || $0.hasPrefix("--storage=") }).count > 1 {
            FileHandle.standardError.write(Data("Error: --storage is given more than once\n".utf8))
            Foundation.exit(1)
        }
        main(Array(hoistGlobalOptions(arguments)))
    }

    static func hoistGlobalOptions(_ arguments: [String]) -> [String] {
        var rest = [String]()
        var globals = [String]()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--json" {
                globals.append(argument)
            } else if argument == "--storage", index + 1 < arguments.count {
                globals.append(contentsOf: [argument, arguments[index + 1]])
                index += 1
            } else if argument.hasPrefix("--storage=") {
                globals.append(argument)
            } else {
                rest.append(argument)
            }
            index += 1
        }
        return rest + globals
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
