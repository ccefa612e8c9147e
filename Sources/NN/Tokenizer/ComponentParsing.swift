/// Reading the pipeline components of `tokenizer.json` (normalizer, pre-tokenizer, decoder); every
/// unknown `type` is an `unsupportedComponent` error naming the field and the type.
enum ComponentParsing {
    /// A `{"String": s}` pattern, or a `{"Regex": r}` whose text has no regex syntax (so is a literal).
    static func literalPattern(_ field: JSONField) throws -> String {
        if let literal = field.optionalMember("String") { return try literal.string() }
        if let regex = field.optionalMember("Regex") {
            let text = try regex.string()
            if !text.isEmpty, !text.contains(where: { "\\.^$|?*+()[]{}".contains($0) }) { return text }
            throw TokenizerError.unsupportedComponent(field: regex.path, type: "Regex \(text)")
        }
        throw field.invalid("expected {\"String\": ...} or {\"Regex\": ...}")
    }

    /// A one-character string field, as a scalar.
    static func character(_ field: JSONField) throws -> Unicode.Scalar {
        let text = try field.string()
        guard text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first else {
            throw field.invalid("expected a single character, found \"\(text)\"")
        }
        return scalar
    }

    static func normalizer(_ field: JSONField) throws -> Normalizer {
        let type = try field.componentType()
        switch type {
        case "NFC", "NFD", "NFKC", "NFKD":
            return .unicode(UnicodeForm(rawValue: type)!)
        case "Lowercase":
            return .lowercase
        case "Strip":
            return .strip(left: try field.member("strip_left").bool(), right: try field.member("strip_right").bool())
        case "Prepend":
            return .prepend(Array(try field.member("prepend").string().utf8))
        case "Replace":
            let pattern = try literalPattern(field.member("pattern"))
            return .replace(pattern: Array(pattern.utf8), content: Array(try field.member("content").string().utf8))
        case "Sequence":
            return .sequence(try field.member("normalizers").array().map(normalizer))
        default:
            throw TokenizerError.unsupportedComponent(field: field.path, type: type)
        }
    }

    /// The prepend scheme of a Metaspace entry, honouring the legacy `add_prefix_space` flag.
    static func prependScheme(_ field: JSONField) throws -> PrependScheme {
        var scheme = PrependScheme.always
        if let declared = field.optionalMember("prepend_scheme") {
            let text = try declared.string()
            guard let parsed = PrependScheme(rawValue: text) else {
                throw declared.invalid("expected \"always\", \"first\" or \"never\", found \"\(text)\"")
            }
            scheme = parsed
        }
        if try field.flag("add_prefix_space", default: true) == false {
            guard scheme == .never else {
                throw field.invalid("add_prefix_space does not match declared prepend_scheme")
            }
        }
        return scheme
    }

    static func preTokenizer(_ field: JSONField) throws -> PreTokenizer {
        let steps = try preTokenizerSteps(field)
        if let byteLevel = steps.firstIndex(where: { $0.isByteLevel }), byteLevel != steps.count - 1 {
            throw TokenizerError.unsupportedComponent(field: field.path, type: "ByteLevel before other pre-tokenizers")
        }
        return steps.count == 1 ? steps[0] : .sequence(steps)
    }

    /// The pre-tokenizer as a flat list of steps (nested sequences are inlined).
    private static func preTokenizerSteps(_ field: JSONField) throws -> [PreTokenizer] {
        let type = try field.componentType()
        switch type {
        case "Sequence":
            return try field.member("pretokenizers").array().flatMap(preTokenizerSteps)
        case "ByteLevel":
            return [.byteLevel(addPrefixSpace: try field.flag("add_prefix_space", default: true),
                               useRegex: try field.flag("use_regex", default: true))]
        case "Metaspace":
            let replacement = try character(field.member("replacement"))
            return [.metaspace(replacement: Array(String(Character(replacement)).utf8),
                               scheme: try prependScheme(field), split: try field.flag("split", default: true))]
        case "Split":
            let behaviorField = try field.member("behavior")
            let behaviorName = try behaviorField.string()
            guard let behavior = SplitBehavior(rawValue: behaviorName) else {
                throw behaviorField.invalid("unknown split behavior \"\(behaviorName)\"")
            }
            return [.split(try splitPattern(field.member("pattern")), behavior, invert: try field.member("invert").bool())]
        case "Digits":
            return [.digits(individual: try field.flag("individual_digits", default: false))]
        default:
            throw TokenizerError.unsupportedComponent(field: field.path, type: type)
        }
    }

    private static func splitPattern(_ field: JSONField) throws -> SplitPattern {
        if let regex = field.optionalMember("Regex"), let scanner = SplitScanner(pattern: try regex.string()) {
            return .scanner(scanner)
        }
        return .literal(Array(try literalPattern(field).utf8))
    }

    static func decoder(_ field: JSONField) throws -> Decoder {
        let type = try field.componentType()
        switch type {
        case "ByteLevel":
            return .byteLevel
        case "Metaspace":
            return .metaspace(replacement: try character(field.member("replacement")),
                              prependScheme: try prependScheme(field))
        case "ByteFallback":
            return .byteFallback
        case "Fuse":
            return .fuse
        case "Strip":
            let start = try field.member("start").int()
            let stop = try field.member("stop").int()
            guard start >= 0, stop >= 0 else { throw field.invalid("start and stop must not be negative") }
            return .strip(content: try character(field.member("content")), start: start, stop: stop)
        case "Replace":
            return .replace(pattern: try literalPattern(field.member("pattern")),
                            content: try field.member("content").string())
        case "Sequence":
            return .sequence(try field.member("decoders").array().map(decoder))
        default:
            throw TokenizerError.unsupportedComponent(field: field.path, type: type)
        }
    }
}
