/// Python's `repr` of a string: single quotes unless the text has a `'` and no `"`; backslash, the quote,
/// `\t`, `\n`, `\r` escaped; other non-printable characters as `\xhh`, `\uhhhh` or `\Uhhhhhhhh`.
func pythonRepr(_ text: String) -> String {
    let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
    var out = String(quote)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\t": out += "\\t"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        default:
            if Character(scalar) == quote {
                out += "\\" + String(quote)
            } else if isPythonPrintable(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                let v = scalar.value
                let (prefix, width) = v < 0x100 ? ("\\x", 2) : v < 0x10000 ? ("\\u", 4) : ("\\U", 8)
                let hex = String(v, radix: 16)
                out += prefix + String(repeating: "0", count: width - hex.count) + hex
            }
        }
    }
    out.append(quote)
    return out
}

/// Python's `repr` of a list of strings: `['a', 'b']`.
func pythonRepr(_ list: [String]) -> String {
    "[" + list.map(pythonRepr).joined(separator: ", ") + "]"
}

/// Python's `str.isprintable` for one character: not a control, format, surrogate, private-use,
/// unassigned or separator character, except the ASCII space.
private func isPythonPrintable(_ scalar: Unicode.Scalar) -> Bool {
    if scalar == " " { return true }
    switch scalar.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
        return false
    default:
        return true
    }
}
