/// GPT-2's reversible byte-to-unicode map: printable Latin-1 bytes (`!`...`~`, `¡`...`¬`, `®`...`ÿ`)
/// stand for themselves, the other 68 bytes map in order to U+0100, U+0101, ... (space is `Ġ`).
enum ByteLevelAlphabet {
    /// Scalar value of the character standing for each byte.
    static let scalars: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            if printable {
                table[b] = UInt32(b)
            } else {
                table[b] = next
                next += 1
            }
        }
        return table
    }()

    /// The character standing for each byte, as a string.
    static let characters: [String] = scalars.map { String(Character(Unicode.Scalar($0)!)) }

    /// UTF-8 of the character standing for each byte (one or two bytes).
    private static let encoded: [[UInt8]] = characters.map { Array($0.utf8) }

    /// Scalar value -> byte, for scalars below 324 that belong to the alphabet (-1 otherwise).
    static let bytesOfScalars: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (b, scalar) in scalars.enumerated() { table[Int(scalar)] = Int16(b) }
        return table
    }()

    /// The UTF-8 bytes of the byte-level string for raw `bytes`.
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(contentsOf: encoded[Int(b)]) }
        return out
    }

    /// The byte a byte-level character stands for, or nil.
    static func byte(of scalar: Unicode.Scalar) -> UInt8? {
        let value = Int(scalar.value)
        guard value < bytesOfScalars.count, bytesOfScalars[value] >= 0 else { return nil }
        return UInt8(bytesOfScalars[value])
    }

    /// The SentencePiece byte-fallback token name of a byte, `<0xXX>` with upper-case hex.
    static func byteTokenName(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "<0x\(digits[Int(b >> 4)])\(digits[Int(b & 0xF)])>"
    }
}
