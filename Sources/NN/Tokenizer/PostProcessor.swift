/// A `post_processor` of `tokenizer.json`, for single sequences: adds the template's special tokens
/// around the model's ids when special tokens are requested.
indirect enum PostProcessor: Sendable {
    /// `TemplateProcessing`: the `single` template, each piece the sequence or special-token ids.
    case template([TemplatePiece])
    /// `RobertaProcessing` / `BertProcessing`: `cls` ids, the sequence, `sep` ids.
    case wrap(cls: [Int32], sep: [Int32])
    /// `ByteLevel` (offset trimming only: ids are unchanged).
    case byteLevel
    case sequence([PostProcessor])

    enum TemplatePiece: Sendable {
        case sequence
        case special([Int32])
    }

    /// The final ids for a sequence.
    func process(_ ids: [Int32], addSpecialTokens: Bool) -> [Int32] {
        process(ids, addSpecialTokens: addSpecialTokens) { $0 }
    }

    /// The final sequence for any per-token items (ids, token strings); `special` gives the item of a
    /// special-token id the processor adds.
    func process<Item>(_ items: [Item], addSpecialTokens: Bool, special: (Int32) -> Item) -> [Item] {
        switch self {
        case let .template(pieces):
            guard addSpecialTokens else { return items }
            var out: [Item] = []
            out.reserveCapacity(items.count + pieces.count)
            for piece in pieces {
                switch piece {
                case .sequence: out.append(contentsOf: items)
                case let .special(ids): out.append(contentsOf: ids.map(special))
                }
            }
            return out
        case let .wrap(cls, sep):
            return addSpecialTokens ? cls.map(special) + items + sep.map(special) : items
        case .byteLevel:
            return items
        case let .sequence(steps):
            return steps.reduce(items) { $1.process($0, addSpecialTokens: addSpecialTokens, special: special) }
        }
    }

    /// How many ids `process` adds to a sequence when special tokens are requested.
    var addedCount: Int { process([], addSpecialTokens: true).count }
}
