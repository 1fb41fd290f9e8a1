import CPKCS11

/// A PKCS#11 attribute template (CK_ATTRIBUTE array) whose values stay allocated while a call
/// reads them.
struct PKCS11Template {
    let items: [(type: CK_ATTRIBUTE_TYPE, bytes: [UInt8])]

    init(_ items: [(CK_ATTRIBUTE_TYPE, [UInt8])]) {
        self.items = items.map { (type: $0.0, bytes: $0.1) }
    }

    /// A CK_BBOOL value.
    static func bool(_ value: Bool) -> [UInt8] { [value ? 1 : 0] }

    /// A CK_ULONG value in the machine's byte order.
    static func ulong(_ value: CK_ULONG) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }

    /// Calls `body` with the attributes and their count; the values are freed afterwards.
    func withAttributes<T>(_ body: (UnsafeMutablePointer<CK_ATTRIBUTE>, CK_ULONG) throws -> T) throws -> T {
        let buffers = items.map { item -> UnsafeMutableRawBufferPointer in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(item.bytes.count, 1), alignment: 8)
            buffer.copyBytes(from: item.bytes)
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var attributes = zip(items, buffers).map { item, buffer in
            CK_ATTRIBUTE(type: item.type, pValue: buffer.baseAddress, ulValueLen: CK_ULONG(item.bytes.count))
        }
        return try attributes.withUnsafeMutableBufferPointer { try body($0.baseAddress!, CK_ULONG($0.count)) }
    }
}
