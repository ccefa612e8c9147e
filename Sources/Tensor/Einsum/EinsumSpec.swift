/// A parsed einsum equation: the axis labels of every operand and of the output.
///
/// Two notations are accepted:
/// - NumPy letters, `"bij,bjk->bik"`: one letter per axis, `...` for broadcast axes,
///   whitespace ignored; without `->` the output is `...` followed by the letters that
///   appear exactly once, sorted.
/// - Named axes (fancy_einsum / einops), `"batch pos d_model, d_model vocab -> batch pos vocab"`:
///   identifiers separated by whitespace. A spec is read this way when some term holds
///   several whitespace-separated words or a word with `_` or a digit; a spec made of single
///   words of letters (`"bij, bjk -> bik"`) is read as letters. Implicit output sorts names.
struct EinsumSpec {
    /// One axis of a term: a label id (an index into `names`) or the ellipsis.
    enum Label: Hashable {
        case axis(Int)
        case ellipsis
    }

    /// The spec as written (for error messages).
    let text: String
    /// Labels of each operand, in axis order.
    let inputs: [[Label]]
    /// Labels of the output, in axis order.
    let output: [Label]
    /// Label id -> name as written.
    let names: [String]

    /// Parses `text`, throwing `invalidSpec` naming the term and character or name at fault.
    init(parsing text: String) throws {
        self.text = text
        let sides = text.split(separator: "->", omittingEmptySubsequences: false).map(String.init)
        guard sides.count <= 2 else { throw EinsumSpec.error(text, "more than one '->'") }
        let inputTerms = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let outputTerm = sides.count == 2 ? sides[1] : nil
        guard outputTerm?.contains(",") != true else {
            throw EinsumSpec.error(text, "the output after '->' cannot contain ','")
        }
        let named = EinsumSpec.isNamed(inputTerms + (outputTerm.map { [$0] } ?? []))
        var table = NameTable()
        var inputs: [[Label]] = []
        for (i, term) in inputTerms.enumerated() {
            let place = "operand \(i) ('\(EinsumSpec.trim(term))')"
            let tokens = try EinsumSpec.tokens(of: term, named: named, spec: text, place: place)
            inputs.append(try EinsumSpec.labels(tokens, table: &table, spec: text, place: place))
        }
        self.inputs = inputs
        if let outputTerm {
            let place = "output ('\(EinsumSpec.trim(outputTerm))')"
            let tokens = try EinsumSpec.tokens(of: outputTerm, named: named, spec: text, place: place)
            var known = table
            let output = try EinsumSpec.labels(tokens, table: &known, spec: text, place: place)
            if known.names.count > table.names.count {
                throw EinsumSpec.error(text, "\(place) names axis '\(known.names[table.names.count])' "
                                       + "that no operand has")
            }
            for (i, label) in output.enumerated() where label != .ellipsis && output[..<i].contains(label) {
                throw EinsumSpec.error(text, "\(place) repeats axis '\(EinsumSpec.name(label, known.names))'")
            }
            self.output = output
        } else {
            self.output = EinsumSpec.implicitOutput(inputs, names: table.names)
        }
        names = table.names
    }

    /// The name of a label for messages.
    static func name(_ label: Label, _ names: [String]) -> String {
        if case let .axis(id) = label { return names[id] }
        return "..."
    }

    /// `...` first if any operand has it, then the labels used exactly once, sorted by name.
    private static func implicitOutput(_ inputs: [[Label]], names: [String]) -> [Label] {
        var uses = [Int](repeating: 0, count: names.count)
        for term in inputs { for case let .axis(id) in term { uses[id] += 1 } }
        let once = names.indices.filter { uses[$0] == 1 }.sorted { names[$0] < names[$1] }
        let ellipsis: [Label] = inputs.contains { $0.contains(.ellipsis) } ? [.ellipsis] : []
        return ellipsis + once.map { .axis($0) }
    }

    /// Whether the terms use named axes rather than letters.
    private static func isNamed(_ terms: [String]) -> Bool {
        terms.contains { term in
            let words = term.replacing("...", with: " ").split(whereSeparator: \.isWhitespace)
            return words.count > 1 || words.contains { $0.contains { $0 == "_" || $0.isASCII && $0.isNumber } }
        }
    }

    /// The names (or letters) of one term, with `...` as its own token.
    private static func tokens(of term: String, named: Bool, spec: String, place: String) throws -> [String] {
        if named {
            return term.replacing("...", with: " ... ")
                .split(whereSeparator: \.isWhitespace).map(String.init)
        }
        var out: [String] = []
        var chars = Substring(term)
        while let c = chars.first {
            if c.isWhitespace {
                chars.removeFirst()
            } else if chars.hasPrefix("...") {
                out.append("...")
                chars.removeFirst(3)
            } else if c.isASCII && c.isLetter {
                out.append(String(c))
                chars.removeFirst()
            } else {
                throw error(spec, "\(place) has bad character '\(c)' (letters and '...' only)")
            }
        }
        return out
    }

    /// Labels for the tokens of one term, adding new names to `table`.
    private static func labels(
        _ tokens: [String], table: inout NameTable, spec: String, place: String
    ) throws -> [Label] {
        var out: [Label] = []
        for token in tokens {
            if token == "..." {
                guard !out.contains(.ellipsis) else { throw error(spec, "\(place) has more than one '...'") }
                out.append(.ellipsis)
                continue
            }
            guard isIdentifier(token) else {
                throw error(spec, "\(place) has bad axis name '\(token)' (identifiers only)")
            }
            out.append(.axis(table.id(of: token)))
        }
        return out
    }

    private static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.first, first == "_" || first.isASCII && first.isLetter else { return false }
        return s.allSatisfy { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// `s` without leading and trailing whitespace.
    static func trim(_ s: String) -> String {
        String(s.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    /// An `invalidSpec` error for einsum.
    static func error(_ spec: String, _ reason: String) -> TensorError {
        TensorError.invalidSpec(op: "einsum", spec: spec, reason: reason)
    }

    /// Names in order of first appearance.
    private struct NameTable {
        var names: [String] = []
        var ids: [String: Int] = [:]

        mutating func id(of name: String) -> Int {
            if let id = ids[name] { return id }
            ids[name] = names.count
            names.append(name)
            return names.count - 1
        }
    }
}

