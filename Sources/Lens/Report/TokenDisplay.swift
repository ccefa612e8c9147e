/// Readable labels for tokenizer pieces.
///
/// Rules, applied in order:
/// 1. A GPT-2 byte-level BPE piece is mapped back to its bytes and decoded as UTF-8
///    ("ĠParis" -> " Paris", "Ã©" -> "é", "âĢĶ" -> "—"). A piece counts as byte-level when every
///    character is in the byte alphabet and either one of them is a remapped byte U+0100–U+0143
///    ("Ġ" space, "Ċ" newline) or the bytes form valid multi-byte UTF-8 (so an already decoded
///    "é" stays "é"). A byte-fallback piece "<0x0A>" is one byte. Bytes that are not valid UTF-8
///    (a piece holding part of a character) print as `\xNN`.
/// 2. The SentencePiece word marker "▁" is a space.
/// 3. Whitespace is made visible: space -> "␣", newline -> "↵", tab -> "⇥", carriage return -> "␍";
///    other control characters print as `\xNN`.
/// Everything else (including "<|endoftext|>") is kept as is; HTML escaping happens later.
public enum TokenDisplay {
    /// The display form of one token, e.g. "ĠParis" -> "␣Paris".
    public static func label(_ token: String) -> String {
        visible(decoded(token))
    }

    /// `label` shortened to at most `maxLength` characters, ending in "…" when cut.
    public static func truncated(_ label: String, maxLength: Int) -> String {
        guard label.count > maxLength, maxLength > 1 else { return label }
        return String(label.prefix(maxLength - 1)) + "…"
    }

    /// The raw text a token stands for (rules 1 and 2), before whitespace is made visible.
    static func decoded(_ token: String) -> String {
        if let byte = byteFallback(token) { return text(of: [byte]) }
        if let (bytes, remapped) = byteLevelBytes(token) {
            if remapped { return text(of: bytes) }
            if bytes.contains(where: { $0 >= 0x80 }), let s = String(validating: bytes, as: UTF8.self) { return s }
        }
        return String(token.map { $0 == "\u{2581}" ? " " : $0 })
    }

    /// Rule 3: visible whitespace and escaped control characters.
    static func visible(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case " ": out += "\u{2423}"
            case "\n": out += "\u{21B5}"
            case "\t": out += "\u{21E5}"
            case "\r": out += "\u{240D}"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += hex(UInt8(scalar.value))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// The byte of a SentencePiece byte-fallback piece "<0xNN>", else nil.
    private static func byteFallback(_ token: String) -> UInt8? {
        guard token.count == 6, token.hasPrefix("<0x"), token.hasSuffix(">") else { return nil }
        return UInt8(token.dropFirst(3).prefix(2), radix: 16)
    }

    /// The bytes `token` stands for when all its characters are in the byte alphabet, and whether
    /// any is a remapped byte; nil otherwise.
    private static func byteLevelBytes(_ token: String) -> (bytes: [UInt8], remapped: Bool)? {
        var bytes: [UInt8] = []
        var remapped = false
        for scalar in token.unicodeScalars {
            guard let byte = ByteLevelAlphabet.byte(for: scalar.value) else { return nil }
            if scalar.value >= 0x100 { remapped = true }
            bytes.append(byte)
        }
        return (bytes, remapped)
    }

    /// UTF-8 text of `bytes`; invalid sequences print byte by byte as `\xNN` (printable ASCII kept).
    private static func text(of bytes: [UInt8]) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return bytes.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : hex($0) }.joined()
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "\\x" + (digits.count == 1 ? "0" : "") + digits
    }
}

/// GPT-2's reversible byte <-> printable-character table: printable Latin-1 bytes ('!'..'~',
/// '¡'..'¬', '®'..'ÿ') stand for themselves; the other 68 bytes, in increasing order, map to
/// U+0100, U+0101, ... (so a space, byte 0x20, is U+0120 "Ġ").
enum ByteLevelAlphabet {
    /// The byte a character of the alphabet stands for, or nil when `scalar` is not in it.
    static func byte(for scalar: UInt32) -> UInt8? {
        if isSelfMapped(scalar) { return UInt8(scalar) }
        guard scalar >= 0x100, scalar < 0x100 + UInt32(remappedBytes.count) else { return nil }
        return remappedBytes[Int(scalar - 0x100)]
    }

    private static func isSelfMapped(_ v: UInt32) -> Bool {
        (0x21...0x7E).contains(v) || (0xA1...0xAC).contains(v) || (0xAE...0xFF).contains(v)
    }

    /// Bytes that are not self-mapped, in increasing order: the k-th maps to U+0100 + k.
    private static let remappedBytes: [UInt8] = (0...255).map { UInt8($0) }
        .filter { !isSelfMapped(UInt32($0)) }
}
