import Foundation
import PostgresNIO

/// Decodes a record's stored properties from the columns of the same names.
struct PGRowDecoder: Decoder {
    let row: PGRow
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a row is not a list"))
    }

    /// `Optional<Record>` asks for one value: the row itself, never nil.
    func singleValueContainer() throws -> any SingleValueDecodingContainer { WholeRow(row: row) }

    struct WholeRow: SingleValueDecodingContainer {
        let row: PGRow
        var codingPath: [any CodingKey] { [] }
        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: PGRowDecoder(row: row)) }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: PGRow
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { row.contains(key.stringValue) }
        func decodeNil(forKey key: Key) throws -> Bool { !row.contains(key.stringValue) || row.isNull(key.stringValue) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let name = key.stringValue
            switch type {
            case is String.Type: return try row.decode(name, as: String.self) as! T
            case is Data.Type: return try row.decode(name, as: Data.self) as! T
            case is Date.Type: return try row.decode(name, as: Date.self) as! T
            case is Int.Type: return try row.decode(name, as: Int.self) as! T
            case is Int64.Type: return try row.decode(name, as: Int64.self) as! T
            case is Bool.Type: return try row.decode(name, as: Bool.self) as! T
            case is Double.Type: return try row.decode(name, as: Double.self) as! T
            default:
                // A raw-value enum and the like: decoded from the column's one value.
                return try T(from: Single(row: row, name: name))
            }
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: [key], debugDescription: "nested values are not stored"))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: [key], debugDescription: "nested values are not stored"))
        }

        func superDecoder() throws -> any Decoder { PGRowDecoder(row: row) }
        func superDecoder(forKey key: Key) throws -> any Decoder { PGRowDecoder(row: row) }
    }

    /// One column as a single value (for `RawRepresentable` properties).
    struct Single: Decoder, SingleValueDecodingContainer {
        let row: PGRow
        let name: String
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: [], debugDescription: "column \(name) is one value"))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: [], debugDescription: "column \(name) is one value"))
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
        func decodeNil() -> Bool { row.isNull(name) }
        func decode(_ type: String.Type) throws -> String { try row.decode(name) }
        func decode(_ type: Bool.Type) throws -> Bool { try row.decode(name) }
        func decode(_ type: Int.Type) throws -> Int { try row.decode(name) }
        func decode(_ type: Int64.Type) throws -> Int64 { try row.decode(name) }
        func decode(_ type: Double.Type) throws -> Double { try row.decode(name) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            throw DecodingError.typeMismatch(type, .init(codingPath: [], debugDescription: "column \(name) holds no \(type)"))
        }
    }
}
