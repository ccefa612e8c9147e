/// Reading `model`, `added_tokens` and `post_processor`: the parts of `tokenizer.json` that carry ids.
enum ModelParsing {
    /// The BPE model, its vocabulary in file order, and the id limit: vocabulary ids (and every other
    /// id in the file) must lie below the number of vocabulary entries plus `addedCount`.
    static func bpe(_ field: JSONField, addedCount: Int) throws -> (BPEModel, [(String, Int)], idLimit: Int) {
        if let typeField = field.optionalMember("type") {
            let type = try typeField.string()
            guard type == "BPE" else { throw TokenizerError.unsupportedComponent(field: field.path, type: type) }
        }
        if let dropout = field.optionalMember("dropout") {
            let rate: Double
            switch dropout.value {
            case let .integer(value): rate = Double(value)
            case let .number(value): rate = value
            default: throw dropout.invalid("expected a number")
            }
            if rate != 0 { throw TokenizerError.unsupportedComponent(field: dropout.path, type: "BPE dropout \(rate)") }
        }
        let vocabField = try field.member("vocab")
        let entries = try vocabField.members()
        let idLimit = entries.count + addedCount
        var vocab = ByteTable(minimumCapacity: entries.count)
        var tokens: [(String, Int)] = []
        tokens.reserveCapacity(entries.count)
        var owner = [Int32](repeating: -1, count: idLimit)
        for (index, (token, idField)) in entries.enumerated() {
            let id = try idField.int()
            guard id >= 0, id < idLimit else {
                throw TokenizerError.idOutOfRange(field: idField.path, id: id, limit: idLimit)
            }
            guard owner[id] < 0 else {
                throw TokenizerError.invalidField(idField.path, reason: "id \(id) is already the id of \"\(entries[Int(owner[id])].0)\"")
            }
            guard vocab.find(token) == nil else { throw TokenizerError.invalidField(idField.path, reason: "the token appears twice") }
            owner[id] = Int32(index)
            vocab.insert(token, value: id)
            tokens.append((token, id))
        }
        let prefix = try field.optionalMember("continuing_subword_prefix")?.string() ?? ""
        let suffix = try field.optionalMember("end_of_word_suffix")?.string() ?? ""
        let merges = try mergeTable(field.member("merges"), vocab: vocab, prefixLength: prefix.utf8.count)
        var unkId: Int32?
        if let unk = field.optionalMember("unk_token") {
            unkId = vocab.find(try unk.string()).map { Int32($0) }
        }
        let model = BPEModel(
            vocab: vocab, merges: merges, unkId: unkId, fuseUnk: try field.flag("fuse_unk", default: false),
            byteFallback: try field.flag("byte_fallback", default: false),
            ignoreMerges: try field.flag("ignore_merges", default: false),
            continuingPrefix: Array(prefix.utf8), endSuffix: Array(suffix.utf8), tokens: tokens.map { $0.0 })
        return (model, tokens, idLimit)
    }

    /// Merges as `"left right"` strings (`#version` lines skipped) or `["left", "right"]` pairs; the rank
    /// is the position in the list. Both parts and their concatenation must be vocabulary tokens.
    private static func mergeTable(_ field: JSONField, vocab: ByteTable, prefixLength: Int) throws -> MergeTable {
        let list = try field.array()
        var table = MergeTable(capacity: list.count)
        var rank = 0
        for entry in list {
            let left: String
            let right: String
            if case let .string(line) = entry.value {
                if line.hasPrefix("#version") { continue }
                // Split the bytes: a space followed by a combining mark is one Swift Character.
                let parts = Array(line.utf8).split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw entry.invalid("a merge must be two tokens separated by one space") }
                left = String(decoding: parts[0], as: UTF8.self)
                right = String(decoding: parts[1], as: UTF8.self)
            } else {
                let pair = try entry.array()
                guard pair.count == 2 else { throw entry.invalid("a merge must be a pair of tokens") }
                left = try pair[0].string()
                right = try pair[1].string()
            }
            let rightBytes = Array(right.utf8)
            guard rightBytes.count >= prefixLength else {
                throw entry.invalid("\"\(right)\" is shorter than continuing_subword_prefix")
            }
            let mergedBytes = Array(left.utf8) + rightBytes[prefixLength...]
            guard let a = vocab.find(left) else { throw TokenizerError.mergeTokenNotInVocab(field: entry.path, token: left) }
            guard let b = vocab.find(right) else { throw TokenizerError.mergeTokenNotInVocab(field: entry.path, token: right) }
            guard let merged = vocab.find(mergedBytes) else {
                throw TokenizerError.mergeTokenNotInVocab(field: entry.path, token: String(decoding: mergedBytes, as: UTF8.self))
            }
            table.insert(left: Int32(a), right: Int32(b), rank: rank, merged: Int32(merged))
            rank += 1
        }
        return table
    }

    /// The `added_tokens` entries, with ids given the way `tokenizers` gives them: a token already in
    /// the vocabulary keeps that id, others are numbered on from the vocabulary size. The `id` fields
    /// are checked for range but, as in `tokenizers`, do not decide the id.
    static func addedTokens(_ field: JSONField?, vocab: ByteTable, vocabCount: Int, idLimit: Int) throws -> [AddedToken] {
        guard let field else { return [] }
        var byContent = ByteTable()
        var result: [AddedToken] = []
        var nextId = vocabCount
        for entry in try field.array() {
            let idField = try entry.member("id")
            let declared = try idField.int()
            guard declared >= 0, declared < idLimit else {
                throw TokenizerError.idOutOfRange(field: idField.path, id: declared, limit: idLimit)
            }
            let content = try entry.member("content").string()
            if content.isEmpty { continue }
            let special = try entry.flag("special", default: false)
            let id: Int
            if let index = byContent.find(content) {
                id = result[index].id
            } else if let existing = vocab.find(content) {
                id = existing
            } else {
                id = nextId
                nextId += 1
            }
            let token = AddedToken(
                content: content, id: id, special: special,
                lstrip: try entry.flag("lstrip", default: false), rstrip: try entry.flag("rstrip", default: false),
                normalized: try entry.flag("normalized", default: !special),
                singleWord: try entry.flag("single_word", default: false))
            if let index = byContent.find(content) {
                result[index] = token
            } else {
                byContent.insert(content, value: result.count)
                result.append(token)
            }
        }
        return result
    }

    /// The post-processor; special-token ids must lie in `0..<idLimit`.
    static func postProcessor(_ field: JSONField, idLimit: Int) throws -> PostProcessor {
        func checked(_ idField: JSONField) throws -> Int32 {
            let id = try idField.int()
            guard id >= 0, id < idLimit else { throw TokenizerError.idOutOfRange(field: idField.path, id: id, limit: idLimit) }
            return Int32(id)
        }
        let type = try field.componentType()
        switch type {
        case "TemplateProcessing":
            let specials = try field.optionalMember("special_tokens")?.members() ?? []
            var pieces: [PostProcessor.TemplatePiece] = []
            for piece in try field.member("single").array() {
                if let sequence = piece.optionalMember("Sequence") {
                    let name = try sequence.member("id").string()
                    guard name == "A" else { throw sequence.invalid("a single-sequence template can only use $A") }
                    pieces.append(.sequence)
                } else if let special = piece.optionalMember("SpecialToken") {
                    let name = try special.member("id").string()
                    guard let entry = specials.last(where: { $0.0 == name })?.1 else {
                        throw TokenizerError.missingField("\(field.path).special_tokens.\(name)")
                    }
                    pieces.append(.special(try entry.member("ids").array().map(checked)))
                } else {
                    throw piece.invalid("expected {\"Sequence\": ...} or {\"SpecialToken\": ...}")
                }
            }
            return .template(pieces)
        case "RobertaProcessing", "BertProcessing":
            func pair(_ key: String) throws -> Int32 {
                let entry = try field.member(key).array()
                guard entry.count == 2 else { throw try field.member(key).invalid("expected [token, id]") }
                return try checked(entry[1])
            }
            return .wrap(cls: [try pair("cls")], sep: [try pair("sep")])
        case "ByteLevel":
            return .byteLevel
        case "Sequence":
            return .sequence(try field.member("processors").array().map { try postProcessor($0, idLimit: idLimit) })
        default:
            throw TokenizerError.unsupportedComponent(field: field.path, type: type)
        }
    }
}
