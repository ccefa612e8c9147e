import Foundation

/// The four Unicode normalization forms.
enum UnicodeForm: String, Sendable {
    case nfc = "NFC"
    case nfd = "NFD"
    case nfkc = "NFKC"
    case nfkd = "NFKD"

    /// Scalars below this are unchanged by the form, never combine with what precedes them and so
    /// are safe places to cut the text (for NFC: no composition has a second element below U+0300).
    var stableBelow: UInt32 {
        switch self {
        case .nfc: return 0x300
        case .nfd: return 0xC0
        case .nfkc, .nfkd: return 0xA0
        }
    }

    func normalize(_ text: String) -> String {
        switch self {
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        // Foundation's one-step NFKC misorders marks that a compatibility decomposition produces
        // (U+01C5 U+0345 U+0323); NFC of NFKD is the same form and comes out right.
        case .nfkc: return text.decomposedStringWithCompatibilityMapping.precomposedStringWithCanonicalMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        }
    }
}

/// A `normalizer` of `tokenizer.json`, applied to the UTF-8 bytes of each piece between added tokens.
indirect enum Normalizer: Sendable {
    case unicode(UnicodeForm)
    /// Per-character full lowercase mapping (Rust `char::to_lowercase`).
    case lowercase
    /// Removes White_Space characters at the left and/or right end.
    case strip(left: Bool, right: Bool)
    /// Prepends a string to non-empty text.
    case prepend([UInt8])
    /// Replaces non-overlapping occurrences of a literal string.
    case replace(pattern: [UInt8], content: [UInt8])
    case sequence([Normalizer])

    func apply(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case let .unicode(form):
            return Self.normalize(bytes, form)
        case .lowercase:
            return Self.lowercase(bytes)
        case let .strip(left, right):
            return Self.strip(bytes, left: left, right: right)
        case let .prepend(prefix):
            return bytes.isEmpty ? bytes : prefix + bytes
        case let .replace(pattern, content):
            return Self.replace(bytes, pattern, content)
        case let .sequence(steps):
            return steps.reduce(bytes) { $1.apply($0) }
        }
    }

    /// Normalizes only the stretches that hold unstable scalars, each together with the stable scalar
    /// in front of it; everything else is copied as is.
    private static func normalize(_ bytes: [UInt8], _ form: UnicodeForm) -> [UInt8] {
        let limit = form.stableBelow
        return bytes.withUnsafeBufferPointer { buffer -> [UInt8] in
            guard let p = buffer.baseAddress else { return [] }
            let n = buffer.count
            var out: [UInt8] = []
            var copied = 0
            var lastStable = 0
            var i = 0
            while i < n {
                if p[i] < 0x80 { lastStable = i; i += 1; continue }
                let (scalar, length) = UTF8Scan.decode(p, i)
                if scalar < limit { lastStable = i; i += length; continue }
                let regionStart = max(lastStable, copied)
                var j = i + length
                while j < n {
                    let (next, nextLength) = UTF8Scan.decode(p, j)
                    if next < limit { break }
                    j += nextLength
                }
                if out.isEmpty { out.reserveCapacity(n + 16) }
                out.append(contentsOf: buffer[copied..<regionStart])
                let region = String(decoding: buffer[regionStart..<j], as: UTF8.self)
                out.append(contentsOf: form.normalize(region).utf8)
                copied = j
                lastStable = j
                i = j
            }
            if copied == 0 { return bytes }
            out.append(contentsOf: buffer[copied..<n])
            return out
        }
    }

    private static func lowercase(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            if scalar.isASCII {
                let b = UInt8(scalar.value)
                out.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.utf8)
            }
        }
        return out
    }

    private static func strip(_ bytes: [UInt8], left: Bool, right: Bool) -> [UInt8] {
        let scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        var lower = 0
        var upper = scalars.count
        if left { while lower < upper, UnicodeClasses.isWhitespace(scalars[lower].value) { lower += 1 } }
        if right { while upper > lower, UnicodeClasses.isWhitespace(scalars[upper - 1].value) { upper -= 1 } }
        if lower == 0, upper == scalars.count { return bytes }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[lower..<upper])
        return Array(String(text).utf8)
    }

    private static func replace(_ bytes: [UInt8], _ pattern: [UInt8], _ content: [UInt8]) -> [UInt8] {
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return bytes }
        return bytes.withUnsafeBufferPointer { buffer -> [UInt8] in
            guard let p = buffer.baseAddress else { return bytes }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + bytes.count / 2)
            var i = 0
            var copied = 0
            while i + pattern.count <= buffer.count {
                if PatternCover.matches(pattern, p, i) {
                    out.append(contentsOf: buffer[copied..<i])
                    out.append(contentsOf: content)
                    i += pattern.count
                    copied = i
                } else {
                    i += 1
                }
            }
            if copied == 0 { return bytes }
            out.append(contentsOf: buffer[copied...])
            return out
        }
    }
}
