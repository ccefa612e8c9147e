/// How number arrays are stored: token ids and histogram counts as JSON arrays of integers (`[464,3290,318]`, so
/// `json_each` reads them in the `sqlite3` shell), activations as little-endian float32 BLOBs (exact, and nothing
/// to format). Written straight into bytes; read back with every character and size checked.
enum StoredArrays {
    /// Appends `[a,b,c]`.
    static func appendJSON(_ values: [Int], to out: inout [UInt8]) {
        values.withUnsafeBufferPointer { values in
            appendJSON(count: values.count, to: &out) { Int64(values[$0]) }
        }
    }

    /// Appends `[a,b,c]` of 64-bit counts.
    static func appendJSON(_ values: UnsafeBufferPointer<Int64>, to out: inout [UInt8]) {
        appendJSON(count: values.count, to: &out) { values[$0] }
    }

    /// Appends `[value(0),…,value(count − 1)]`, written in place into room for the longest numbers (20 characters
    /// and a comma each), then trimmed.
    @inline(__always)
    private static func appendJSON(count: Int, to out: inout [UInt8], _ value: (Int) -> Int64) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: 21 * count + 2))
        let end = out.withUnsafeMutableBufferPointer { buffer -> Int in
            let bytes = buffer.baseAddress!
            var k = start
            bytes[k] = UInt8(ascii: "[")
            k += 1
            for i in 0..<count {
                if i > 0 {
                    bytes[k] = UInt8(ascii: ",")
                    k += 1
                }
                k = writeDecimal(value(i), at: bytes + k) - bytes
            }
            bytes[k] = UInt8(ascii: "]")
            return k + 1
        }
        out.removeLast(out.count - end)
    }

    /// Writes the decimal digits of `value` at `out`; returns the end.
    @inline(__always)
    private static func writeDecimal(_ value: Int64, at out: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var p = out
        if value < 0 {
            p.pointee = UInt8(ascii: "-")
            p += 1
        }
        var rest = value.magnitude, digits = 1
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        rest = value.magnitude
        for d in stride(from: digits - 1, through: 0, by: -1) {
            p[d] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        return p + digits
    }

    /// The integers of a JSON array written by `appendJSON`; anything else throws `StoreError.notAScanDatabase` naming
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

    /// Calls `body` with the little-endian float32 bytes of `values` (their own memory on a little-endian machine).
    static func withBlob<R>(_ values: [Float], _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        #if _endian(little)
        return try values.withUnsafeBytes(body)
        #else
        return try values.map { $0.bitPattern.littleEndian }.withUnsafeBytes(body)
        #endif
    }

    /// The floats of a `withBlob` BLOB; throws `StoreError.notAScanDatabase` naming the file and `what` when the size is
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
