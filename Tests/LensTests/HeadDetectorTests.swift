import Foundation
import Lens
import Testing

/// `detectHead` against TransformerLens 3.9's `head_detector.detect_head` (`Tests/Fixtures/lens/<arch>/
/// head_detector.npz`), and the induction helpers.
@Suite struct HeadDetectorTests {
    static let variants: [String: (bos: Bool, current: Bool, measure: HeadErrorMeasure)] = [
        "default": (false, false, .mul), "exclude_bos": (true, false, .mul), "exclude_current_token": (false, true, .mul),
        "exclude_both": (true, true, .mul), "abs": (false, false, .abs), "abs_exclude_both": (true, true, .abs),
    ]

    /// Every pattern (previous, duplicate, induction, custom) × every variant matches within 1e-4, and the
    /// built-in detection matrices match TransformerLens's exactly.
    @Test(arguments: ["gpt2", "llama", "attn_only_2l"])
    func scoresMatchTransformerLens(_ name: String) throws {
        let info = try LensFixture.json("\(name)/head_detector")
        let archive = try LensFixture.archive(name, "head_detector")
        let model = try LensFixture.model(name, processed: true)
        let tokens = idTensor(info["tokens"])
        let custom = try archive.tensor("detection_pattern__custom")
        let patterns: [(String, DetectionPattern)] = [("previous_token_head", .previousToken),
                                                      ("duplicate_token_head", .duplicateToken),
                                                      ("induction_head", .induction), ("custom", .custom(custom))]
        for (key, pattern) in patterns {
            let matrix = try pattern.matrix(for: tokens.intScalars)
            #expect(scaledError(matrix, try archive.tensor("detection_pattern__\(key)")) == 0, "\(key)")
            for (variant, v) in Self.variants {
                let scores = try model.detectHead(tokens: tokens, pattern: pattern, excludeBOS: v.bos,
                                                  excludeCurrentToken: v.current, errorMeasure: v.measure)
                let expected = try archive.tensor("\(key)__\(variant)")
                #expect(scaledError(scores, expected) < 1e-4, "\(name) \(key) \(variant): \(scaledError(scores, expected))")
            }
        }
    }

    /// Selected heads only (the rest −1), a cache instead of a run, several sequences averaged, and the
    /// errors: one token, a wrong-shape or upper-triangular custom pattern, a head outside the model.
    @Test func selectionCacheSequencesAndErrors() throws {
        let model = try LensFixture.model("gpt2", processed: true)
        let tokens = idTensor(try LensFixture.json("gpt2/head_detector")["tokens"])
        let all = try model.detectHead(tokens: tokens, pattern: .previousToken)
        let some = try model.detectHead(tokens: tokens, pattern: .previousToken, heads: [(1, 2), (0, 0)])
        #expect(some.value(at: [1, 2]) == all.value(at: [1, 2]) && some.value(at: [0, 0]) == all.value(at: [0, 0]))
        #expect(some.value(at: [1, 1]) == -1)
        let (_, cache) = try model.runWithCache(tokens.unsqueezed(0), removeBatchDim: true)
        #expect(scaledError(try model.detectHead(tokens: tokens, pattern: .previousToken, cache: cache), all) == 0)
        let ids = tokens.intScalars
        let averaged = try model.detectHead(sequences: [ids, ids], pattern: .previousToken)
        #expect(scaledError(averaged, all) < 1e-6)
        #expect(throws: LensError.self) { _ = try model.detectHead(tokens: Tensor(ints: [3], shape: [1]), pattern: .induction) }
        #expect(throws: LensError.self) { _ = try model.detectHead(tokens: tokens, pattern: .custom(Tensor(zeros: [3, 3]))) }
        #expect(throws: LensError.self) {
            _ = try model.detectHead(tokens: tokens, pattern: .custom(Tensor.ones([15, 15])))
        }
        #expect(throws: LensError.self) { _ = try model.detectHead(tokens: tokens, pattern: .induction, heads: [(2, 0)]) }
        #expect(throws: LensError.self) { _ = try model.detectHead(sequences: [ids], pattern: .custom(Tensor(zeros: [15, 15]))) }
    }

    /// Repeated random tokens are BOS + two equal halves; the induction stripe equals the mean of the
    /// pattern entries it names.
    @Test func repeatedTokensAndInductionStripe() throws {
        let model = try LensFixture.model("attn_only_2l", processed: true)
        let tokens = try model.repeatedRandomTokens(length: 6, batch: 2, seed: 7, bos: 0)
        #expect(tokens.shape == [2, 13])
        let row = tokens[1].intScalars
        #expect(row[0] == 0 && Array(row[1...6]) == Array(row[7...12]) && row[1...].allSatisfy { $0 >= 1 })
        let scores = try model.inductionScores(repeatedTokens: tokens, length: 6)
        let (_, cache) = try model.runWithCache(tokens)
        let pattern = try cache["pattern", 1]
        var expected: Float = 0
        for b in 0..<2 { for k in 0..<6 { expected += pattern.value(at: [b, 3, 7 + k, 2 + k]) } }
        #expect(abs(scores.value(at: [1, 3]) - expected / 12) < 1e-6)
        #expect(throws: LensError.self) { _ = try model.inductionScores(repeatedTokens: tokens, length: 5) }
    }
}
