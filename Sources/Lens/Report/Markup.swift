/// Escaping for the two places report text lands: XML/HTML character data and attribute values,
/// and JSON string literals (token lists stored in `data-*` attributes for the hover tooltip).
///
/// Escaped output contains only the five XML predefined entities, so every fragment is
/// well-formed XML as well as valid HTML.
public enum Markup {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities; safe in element content and
    /// in double- or single-quoted attribute values. Control characters other than tab and
    /// newline (invalid in XML 1.0) become U+FFFD.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                let invalidInXML = v < 0x20 || v == 0xFFFE || v == 0xFFFF
                out.unicodeScalars.append(invalidInXML ? "\u{FFFD}" : scalar)
            }
        }
        return out
    }

    /// `text` escaped for an attribute value: as `escape`, and newline and tab as `&#10;` and
    /// `&#9;` so XML attribute normalisation keeps them (multi-line hover text).
    public static func attribute(_ text: String) -> String {
        var out = ""
        for ch in escape(text) {
            switch ch {
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A JSON string literal for `text` (quotes included): `"` and `\` are backslash-escaped and
    /// control characters written as `\uXXXX`. Escape the result again with `escape` before
    /// placing it in an attribute.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A JSON array of strings, e.g. `["a","b"]`.
    public static func jsonArray(_ items: [String]) -> String {
        "[" + items.map(jsonString).joined(separator: ",") + "]"
    }
}
