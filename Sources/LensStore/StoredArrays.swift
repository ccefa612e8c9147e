/// How number arrays are stored: token ids and histogram counts as JSON arrays of integers (`[464,3290,318]`, so
/// `json_each` reads them in the `sqlite3` shell), activations as little-endian float32 BLOBs (exact, and nothing
/// to format). Written straight into bytes; read back with every character and size checked.
enum StoredArrays {
    /// `[a,b,c]`.
    static func json(_ values: some Sequence<Int>) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(8 * values.underestimatedCount + 2)
        for (k, value) in values.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            appendDecimal(Int64(value), to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// `[a,b,c]` of 64-bit counts.
    static func json(_ values: UnsafeBufferPointer<Int64>) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(4 * values.count + 2)
        for k in values.indices {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            appendDecimal(values[k], to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// The decimal digits of `value`.
    @inline(__always)
    private static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        let start = out.count
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        out[start...].reverse()
    }

    /// The integers of a JSON array written by `json`; anything else throws `StoreError.notAScanDatabase` naming
    /// the file and `what`.
    static func ints(_ bytes: [UInt8], path: String, what: @autoclosure () -> String) throws -> [Int64] {
        func bad() -> StoreError {
            .notAScanDatabase(path: path, reason: "\(what()) is not a list of integers: \(String(decoding: bytes.prefix(40), as: UTF8.self))")
        }
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") else { throw bad() }
        var values: [Int64] = []
        guard bytes.count > 2 else { return values }
        var k = 1
        while true {
            let negative = bytes[k] == UInt8(ascii: "-")
            if negative { k += 1 }
            var value: Int64 = 0, digits = 0
            while k < bytes.count - 1, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[k]) {
                guard digits < 18 else { throw bad() }
                value = value * 10 + Int64(bytes[k] - UInt8(ascii: "0"))
                digits += 1
                k += 1
            }
            guard digits > 0 else { throw bad() }
            values.append(negative ? -value : value)
            if k == bytes.count - 1 { return values }
            guard bytes[k] == UInt8(ascii: ",") else { throw bad() }
            k += 1
        }
    }

    /// Little-endian float32 bytes.
    static func blob(_ values: [Float]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 4 * values.count)
        out.withUnsafeMutableBytes { raw in
            for (k, value) in values.enumerated() { raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: 4 * k, as: UInt32.self) }
        }
        return out
    }

    /// The floats of a `blob`; throws `StoreError.notAScanDatabase` naming the file and `what` when the size is
    /// not a multiple of 4.
    static func floats(_ bytes: [UInt8], path: String, what: @autoclosure () -> String) throws -> [Float] {
        guard bytes.count % 4 == 0 else {
            throw StoreError.notAScanDatabase(path: path, reason: "\(what()) has \(bytes.count) bytes, not a whole number of float32")
        }
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }
}
