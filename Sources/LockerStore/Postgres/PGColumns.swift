import Foundation
import PostgresNIO

/// A record's stored properties as columns and bound values, through the record's own
/// `Encodable` conformance: nil properties are bound as NULL, not left out, so an update
/// writes every column.
struct PGColumns {
    var names: [String] = []
    var bindings = PostgresBindings()

    init<R: Encodable>(_ record: R) throws {
        let sink = Sink()
        try record.encode(to: sink)
        names = sink.names
        bindings = sink.bindings
    }

    /// `INSERT INTO table (...) VALUES ($1, ...)`, with `suffix` (ON CONFLICT ...) appended.
    static func insert<R: Encodable>(_ record: R, into table: String, suffix: String = "") throws -> PostgresQuery {
        let columns = try PGColumns(record)
        let placeholders = (1...columns.names.count).map { "$\($0)" }.joined(separator: ", ")
        return PostgresQuery(unsafeSQL: "INSERT INTO \(table) (\(columns.names.joined(separator: ", "))) VALUES (\(placeholders)) \(suffix)",
                             binds: columns.bindings)
    }

    /// `UPDATE table SET ... WHERE key = $n` for every column but the key.
    static func update<R: Encodable>(_ record: R, in table: String, key: String) throws -> PostgresQuery {
        let columns = try PGColumns(record)
        guard let keyIndex = columns.names.firstIndex(of: key) else { throw StoreError("record for \(table) has no \(key)") }
        let sets = columns.names.enumerated().filter { $0.offset != keyIndex }.map { "\($0.element) = $\($0.offset + 1)" }
        return PostgresQuery(unsafeSQL: "UPDATE \(table) SET \(sets.joined(separator: ", ")) WHERE \(key) = $\(keyIndex + 1)", binds: columns.bindings)
    }

    final class Sink: Encoder {
        var names: [String] = []
        var bindings = PostgresBindings()
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Keyed<Key>(sink: self))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer { fatalError("records are stored as columns, not lists") }
        func singleValueContainer() -> any SingleValueEncodingContainer { fatalError("records are stored as columns") }

        func add<T: PostgresEncodable>(_ name: String, _ value: T?) throws {
            names.append(name)
            if let value { try bindings.append(value) } else { bindings.appendNull() }
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let sink: Sink
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) throws { sink.names.append(key.stringValue); sink.bindings.appendNull() }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try put(value, key.stringValue)
        }

        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
            if let value { try put(value, key.stringValue) } else { try encodeNil(forKey: key) }
        }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try sink.add(key.stringValue, value) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try sink.add(key.stringValue, value) }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try sink.add(key.stringValue, value) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try sink.add(key.stringValue, value) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try sink.add(key.stringValue, value) }

        private func put<T: Encodable>(_ value: T, _ name: String) throws {
            switch value {
            case let v as String: try sink.add(name, v)
            case let v as Data: try sink.add(name, v)
            case let v as Date: try sink.add(name, v)
            case let v as Int: try sink.add(name, v)
            case let v as Int64: try sink.add(name, v)
            case let v as Bool: try sink.add(name, v)
            case let v as Double: try sink.add(name, v)
            case let v as any RawRepresentable:
                guard let raw = v.rawValue as? String else { throw StoreError("column \(name): unsupported raw value") }
                try sink.add(name, raw)
            default: throw StoreError("column \(name): \(T.self) is not a storable value")
            }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            fatalError("records are stored as flat columns")
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { fatalError("records are stored as flat columns") }
        mutating func superEncoder() -> any Encoder { sink }
        mutating func superEncoder(forKey key: Key) -> any Encoder { sink }
    }
}
