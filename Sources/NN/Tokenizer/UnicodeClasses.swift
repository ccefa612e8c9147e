/// Character classes of the split regexes (`\p{L}`, `\p{N}`, `\s`) and of Rust's `\w`, as the reference
/// `tokenizers` build sees them: its Oniguruma and Rust tables are Unicode 16.0, so characters assigned
/// later are treated as unassigned. The Basic Multilingual Plane is tabulated once; other planes are
/// looked up on demand.
enum UnicodeClasses {
    /// Class bits: low two bits are the regex class, bit 2 marks a `\w` character.
    static let other: UInt8 = 0
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let whitespace: UInt8 = 3
    static let classMask: UInt8 = 3
    static let wordBit: UInt8 = 4

    /// Class bytes of U+0000...U+FFFF.
    static let bmp: [UInt8] = (0..<0x10000).map { code in
        Unicode.Scalar(UInt32(code)).map(compute) ?? other
    }

    /// The class byte of a scalar value.
    @inline(__always)
    static func classByte(_ scalar: UInt32) -> UInt8 {
        if scalar < 0x10000 { return bmp.withUnsafeBufferPointer { $0[Int(scalar)] } }
        return Unicode.Scalar(scalar).map(compute) ?? other
    }

    /// The regex class (`letter`, `number`, `whitespace` or `other`) of a scalar value. Outside the
    /// BMP there is no whitespace, so the general category and age decide.
    @inline(__always)
    static func regexClass(_ scalar: UInt32) -> UInt8 {
        if scalar < 0x10000 { return bmp.withUnsafeBufferPointer { $0[Int(scalar)] } & classMask }
        guard let value = Unicode.Scalar(scalar), isAssigned(value.properties) else { return other }
        return categoryClass(value.properties.generalCategory)
    }

    /// Whether a scalar existed in Unicode 16.0.
    private static func isAssigned(_ properties: Unicode.Scalar.Properties) -> Bool {
        guard let age = properties.age else { return false }
        return age.major < 16 || (age.major == 16 && age.minor == 0)
    }

    private static func categoryClass(_ category: Unicode.GeneralCategory) -> UInt8 {
        switch category {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return letter
        case .decimalNumber, .letterNumber, .otherNumber: return number
        default: return other
        }
    }

    /// Whether Rust's `char::is_numeric` holds (general category N*).
    static func isNumeric(_ scalar: UInt32) -> Bool { regexClass(scalar) == number }

    /// Whether `\s` / `char::is_whitespace` holds (the White_Space property).
    static func isWhitespace(_ scalar: UInt32) -> Bool { regexClass(scalar) == whitespace }

    /// Whether Rust regex `\w` holds: Alphabetic, marks, decimal digits, connector punctuation, joiners.
    static func isWordCharacter(_ scalar: UInt32) -> Bool { classByte(scalar) & wordBit != 0 }

    private static func compute(_ scalar: Unicode.Scalar) -> UInt8 {
        let properties = scalar.properties
        guard isAssigned(properties) else { return other }
        var bits = properties.isWhitespace ? whitespace : categoryClass(properties.generalCategory)
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            bits |= wordBit
        default:
            if properties.isAlphabetic || properties.isJoinControl { bits |= wordBit }
        }
        return bits
    }
}

/// UTF-8 decoding helpers over valid UTF-8 bytes.
enum UTF8Scan {
    /// Length of the UTF-8 sequence that starts with `lead`.
    @inline(__always)
    static func length(_ lead: UInt8) -> Int {
        if lead < 0x80 { return 1 }
        if lead < 0xE0 { return 2 }
        if lead < 0xF0 { return 3 }
        return 4
    }

    /// The scalar value starting at `i` and its byte length.
    @inline(__always)
    static func decode(_ p: UnsafePointer<UInt8>, _ i: Int) -> (scalar: UInt32, length: Int) {
        let b0 = UInt32(p[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
        }
        let value = (b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6
            | UInt32(p[i + 3] & 0x3F)
        return (value, 4)
    }
}
