/// The `truncation` block of `tokenizer.json`: sequences longer than `max_length` (minus the special
/// tokens the post-processor will add) lose ids from the right or the left.
struct Truncation: Sendable {
    let maxLength: Int
    let fromLeft: Bool

    init(_ field: JSONField) throws {
        let lengthField = try field.member("max_length")
        maxLength = try lengthField.int()
        guard maxLength >= 0 else { throw lengthField.invalid("must not be negative") }
        fromLeft = try Self.isLeft(field.optionalMember("direction"))
    }

    /// Whether a `direction` field says "Left" (absent means "Right").
    static func isLeft(_ field: JSONField?) throws -> Bool {
        guard let field else { return false }
        switch try field.string() {
        case "Left": return true
        case "Right": return false
        case let other: throw field.invalid("expected \"Left\" or \"Right\", found \"\(other)\"")
        }
    }

    /// Keeps at most `budget` items (at least none).
    func apply<Item>(to items: inout [Item], budget: Int) {
        let keep = max(0, budget)
        guard items.count > keep else { return }
        if fromLeft { items.removeFirst(items.count - keep) } else { items.removeLast(items.count - keep) }
    }
}

/// The `padding` block of `tokenizer.json`: pads to the batch's longest sequence or a fixed length,
/// rounded up to `pad_to_multiple_of`, with `pad_id` on the right or the left.
struct Padding: Sendable {
    let fixedLength: Int?
    let multiple: Int?
    let padId: Int
    let padToken: String
    let onLeft: Bool

    init(_ field: JSONField) throws {
        let strategy = try field.member("strategy")
        if case let .string(name) = strategy.value {
            guard name == "BatchLongest" else { throw strategy.invalid("unknown padding strategy \"\(name)\"") }
            fixedLength = nil
        } else {
            let length = try strategy.member("Fixed").int()
            guard length >= 0 else { throw strategy.invalid("the fixed length must not be negative") }
            fixedLength = length
        }
        multiple = try field.optionalMember("pad_to_multiple_of")?.int()
        if let multiple, multiple <= 0 { throw field.invalid("pad_to_multiple_of must be positive") }
        padId = try field.optionalMember("pad_id")?.int() ?? 0
        padToken = try field.optionalMember("pad_token")?.string() ?? "[PAD]"
        onLeft = try Truncation.isLeft(field.optionalMember("direction"))
    }

    /// Pads `items` with `pad` to the fixed length, or else to `longest`, rounded up to the multiple.
    func apply<Item>(to items: inout [Item], longest: Int, pad: Item) {
        var target = fixedLength ?? longest
        if let multiple, target % multiple != 0 { target += multiple - target % multiple }
        guard items.count < target else { return }
        let pads = [Item](repeating: pad, count: target - items.count)
        items = onLeft ? pads + items : items + pads
    }
}

/// The names of the BOS / EOS / padding tokens: from `tokenizer_config.json` when it names them,
/// else the post-processor's template, else the first of the usual names the vocabulary holds.
struct SpecialTokenNames {
    /// `.some(nil)` when the config names the token as null; nil when it does not mention it.
    let bos: String??
    let eos: String??
    let pad: String??

    static let bosCandidates = ["<|begin_of_text|>", "<s>", "<bos>", "<|startoftext|>", "<|endoftext|>"]
    static let eosCandidates = ["<|end_of_text|>", "</s>", "<eos>", "<|endoftext|>", "<|im_end|>"]
    static let padCandidates = ["<pad>", "<|padding|>", "[PAD]", "<|pad|>"]

    init(config: [UInt8]?) throws {
        guard let config else {
            (bos, eos, pad) = (nil, nil, nil)
            return
        }
        let value: JSONValue
        do {
            value = try JSONField.parse(config)
        } catch let error as TokenizerError {
            throw TokenizerError.invalidField("tokenizer_config.json", reason: error.description)
        }
        let root = JSONField(value: value, path: "tokenizer_config")
        func name(_ key: String) throws -> String?? {
            guard let value = root.value[key] else { return nil }
            let field = JSONField(value: value, path: "tokenizer_config.\(key)")
            switch value {
            case .null: return .some(nil)
            case let .string(text): return .some(text)
            default: return .some(try field.member("content").string())
            }
        }
        bos = try name("bos_token")
        eos = try name("eos_token")
        pad = try name("pad_token")
    }

    /// The id for a configured name (`field` names it in the error when the tokenizer has no such token), or the
    /// default, or the first candidate found by `lookup`.
    func resolve(_ configured: String??, field: String, default fallback: Int?, candidates: [String],
                 _ lookup: (String) -> Int?) throws -> Int? {
        if let configured {
            guard let name = configured else { return nil }
            guard let id = lookup(name) else {
                throw TokenizerError.invalidField("tokenizer_config.\(field)", reason: "names \"\(name)\", which is not a token of tokenizer.json")
            }
            return id
        }
        if let fallback { return fallback }
        for name in candidates { if let id = lookup(name) { return id } }
        return nil
    }
}
