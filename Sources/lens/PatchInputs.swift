import Lens

/// The prompts and answers of `lens patch` and `lens attrib-patch` as given on the command line: clean and
/// corrupted text or token rows, and answer / wrong texts or ids.
struct PatchInputs {
    let model: String
    let clean: String?, corrupted: String?
    let cleanTokens: String?, corruptedTokens: String?
    let answer: String?, wrong: String?
    let answerID: String?, wrongID: String?

    /// The clean and corrupted `[batch, pos]` ids, from text (with BOS) or from id lists.
    func tokenRows(_ lens: LensModel) throws -> (Tensor, Tensor) {
        if let clean, let corrupted {
            guard lens.tokenizer != nil else { throw PatchCommandError("--model: \(model) has no tokenizer.json; use --clean-tokens") }
            return (try lens.toTokens(clean), try lens.toTokens(corrupted))
        }
        return (try PatchCommand.ids(cleanTokens!, option: "--clean-tokens"),
                try PatchCommand.ids(corruptedTokens!, option: "--corrupted-tokens"))
    }

    /// Answer and wrong ids per batch row (one id or text answer is used for every row).
    func answerIDs(_ lens: LensModel, batch: Int) throws -> ([Int], [Int]) {
        if let answer, let wrong {
            guard lens.tokenizer != nil else { throw PatchCommandError("--model: \(model) has no tokenizer.json; use --answer-id") }
            func single(_ text: String, _ option: String) throws -> Int {
                do { return try lens.toSingleToken(text) } catch {
                    throw PatchCommandError("\(option) \"\(text)\" is not a single token (\(error))")
                }
            }
            return (Array(repeating: try single(answer, "--answer"), count: batch),
                    Array(repeating: try single(wrong, "--wrong"), count: batch))
        }
        return (try Self.perRow(answerID!, "--answer-id", batch: batch), try Self.perRow(wrongID!, "--wrong-id", batch: batch))
    }

    /// One id for every row, or one id per row, from `text` (comma-separated).
    static func perRow(_ text: String, _ option: String, batch: Int) throws -> [Int] {
        let ids = try PatchCommand.ids(text, option: option).intScalars
        guard ids.count == 1 || ids.count == batch else {
            throw PatchCommandError("\(option) needs one id or one per batch row (\(batch)), got \(ids.count)")
        }
        return ids.count == 1 ? Array(repeating: ids[0], count: batch) : ids
    }

    /// Ids outside `0..<vocabulary` are an error naming the id.
    static func checkVocabulary(_ ids: [Int], _ vocabulary: Int) throws {
        if let bad = ids.first(where: { !(0..<vocabulary).contains($0) }) {
            throw PatchCommandError("answer id \(bad) is outside the vocabulary of \(vocabulary)")
        }
    }
}
