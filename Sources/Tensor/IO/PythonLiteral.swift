/// A value of the Python literal subset found in `.npy` headers: `{'descr': '<f4',
/// 'fortran_order': False, 'shape': (2, 3), }`.
indirect enum PythonLiteral {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([(key: PythonLiteral, value: PythonLiteral)])

    /// Python's `repr`-like text, for error messages.
    var text: String {
        switch self {
        case .string(let s): return "'\(s)'"
        case .int(let i): return String(i)
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .tuple(let items): return "(" + items.map(\.text).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .list(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .dict(let items): return "{" + items.map { "\($0.key.text): \($0.value.text)" }.joined(separator: ", ") + "}"
        }
    }
}

/// Parses the Python literal subset of `PythonLiteral` (like `ast.literal_eval` restricted to
/// strings, integers, booleans, None, tuples, lists and dicts), with a nesting limit.
/// Header bytes are Latin-1 in `.npy` versions 1 and 2 and UTF-8 in version 3.
struct PythonLiteralParser {
    private let bytes: UnsafeRawBufferPointer
    private let utf8: Bool
    private var pos = 0
    private static let maxDepth = 16

    /// Parses `bytes` as one literal surrounded only by whitespace; the error text names the offset.
    static func parse(_ bytes: UnsafeRawBufferPointer, utf8: Bool) throws(JSONSyntaxError) -> PythonLiteral {
        var parser = PythonLiteralParser(bytes: bytes, utf8: utf8)
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.pos == bytes.count else { throw parser.error("unexpected text after the literal") }
        return value
    }

    private init(bytes: UnsafeRawBufferPointer, utf8: Bool) {
        self.bytes = bytes
        self.utf8 = utf8
    }

    private func error(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: pos, reason: reason) }

    private mutating func skipWhitespace() {
        while pos < bytes.count, [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(bytes[pos]) { pos += 1 }
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> PythonLiteral {
        guard depth < PythonLiteralParser.maxDepth else {
            throw error("nesting deeper than \(PythonLiteralParser.maxDepth) levels")
        }
        skipWhitespace()
        guard pos < bytes.count else { throw error("unexpected end of header, expected a value") }
        let c = bytes[pos]
        switch c {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string(quote: c))
        case UInt8(ascii: "("): return try sequence(close: UInt8(ascii: ")"), depth: depth)
        case UInt8(ascii: "["): return try sequence(close: UInt8(ascii: "]"), depth: depth)
        case UInt8(ascii: "{"): return try dict(depth: depth)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try integer())
        default:
            for (word, literal) in [("True", PythonLiteral.bool(true)), ("False", .bool(false)), ("None", .none)]
            where matches(word) {
                pos += word.utf8.count
                return literal
            }
            throw error("unexpected character 0x\(String(c, radix: 16))")
        }
    }

    private func matches(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard pos + w.count <= bytes.count, (0..<w.count).allSatisfy({ bytes[pos + $0] == w[$0] }) else { return false }
        let end = pos + w.count
        return end == bytes.count || !(bytes[end] == 0x5F || (bytes[end] | 0x20 >= 0x61 && bytes[end] | 0x20 <= 0x7A))
    }

    private mutating func integer() throws(JSONSyntaxError) -> Int {
        let start = pos
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        let digitsStart = pos
        while pos < bytes.count, bytes[pos] >= 0x30, bytes[pos] <= 0x39 { pos += 1 }
        guard pos > digitsStart else { throw error("expected digits") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        guard let v = Int(text) else { throw JSONSyntaxError(offset: start, reason: "integer \(text) is out of range") }
        return v
    }

    /// `(a, b)`, `(a,)`, `()` or `[a, b]`; `(a)` is just `a`, as in Python.
    private mutating func sequence(close: UInt8, depth: Int) throws(JSONSyntaxError) -> PythonLiteral {
        let isTuple = close == UInt8(ascii: ")")
        pos += 1
        var items: [PythonLiteral] = []
        var sawComma = false
        while true {
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of header inside a sequence") }
            if bytes[pos] == close {
                pos += 1
                if isTuple && items.count == 1 && !sawComma { return items[0] }
                return isTuple ? .tuple(items) : .list(items)
            }
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of header inside a sequence") }
            if bytes[pos] == UInt8(ascii: ",") {
                pos += 1
                sawComma = true
            } else if bytes[pos] != close {
                throw error("expected ',' or closing bracket")
            }
        }
    }

    private mutating func dict(depth: Int) throws(JSONSyntaxError) -> PythonLiteral {
        pos += 1
        var items: [(key: PythonLiteral, value: PythonLiteral)] = []
        while true {
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of header inside a dict") }
            if bytes[pos] == UInt8(ascii: "}") {
                pos += 1
                return .dict(items)
            }
            let key = try value(depth: depth + 1)
            skipWhitespace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw error("expected ':' in a dict") }
            pos += 1
            items.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of header inside a dict") }
            if bytes[pos] == UInt8(ascii: ",") {
                pos += 1
            } else if bytes[pos] != UInt8(ascii: "}") {
                throw error("expected ',' or '}' in a dict")
            }
        }
    }

    /// A quoted string; only `\\`, `\'` and `\"` escapes are accepted.
    private mutating func string(quote: UInt8) throws(JSONSyntaxError) -> String {
        pos += 1
        var raw: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw error("unterminated string") }
            var b = bytes[pos]
            if b == quote {
                pos += 1
                break
            }
            if b == 0x0A { throw error("newline inside a string") }
            if b == UInt8(ascii: "\\") {
                guard pos + 1 < bytes.count, [0x5C, 0x27, 0x22].contains(bytes[pos + 1]) else {
                    throw error("unsupported escape in a string")
                }
                pos += 1
                b = bytes[pos]
            }
            raw.append(b)
            pos += 1
        }
        if utf8 {
            guard let s = String(validating: raw, as: UTF8.self) else { throw error("string is not valid UTF-8") }
            return s
        }
        var s = ""
        s.unicodeScalars.append(contentsOf: raw.map { Unicode.Scalar($0) })
        return s
    }
}
