import Foundation
import Lens
import Testing

/// The built-in patching metrics on hand-made logits, and their errors.
@Suite struct PatchingMetricTests {
    /// `[2, 3, 5]` logits whose last position holds row b: `[10b + 0, 10b + 1, …, 10b + 4]` scaled per token.
    let logits: Tensor = {
        var values = [Float](repeating: 0, count: 30)
        for b in 0..<2 { for v in 0..<5 { values[b * 15 + 10 + v] = Float(v * v) + Float(b) } }
        return Tensor(values, shape: [2, 3, 5])
    }()

    /// Multi-token answers compare token by token at the last position; several pairs per row average.
    @Test func multiTokenAndMultiPairLogitDifference() throws {
        // row 0: pair (4,3 | 1,0): ((16 − 1) + (9 − 0)) / 2 = 12; row 1: pairs (2 | 1) = 3 and (0 | 4) = −16.
        let metric = try PatchingMetric.logitDiff([[try AnswerPair(answer: [4, 3], wrong: [1, 0])],
                                                   [AnswerPair(2, 1), AnswerPair(0, 4)]])
        #expect(try metric(logits) == (12 + (3 - 16) / 2) / 2)
        #expect(metric.positions == .last)
        let single = try PatchingMetric.logitDiff(answers: [4, 2], wrong: [0, 3])
        #expect(try single(logits) == ((16 - 0) + (4 - 9)) / 2)
        let normalised = try single.normalized(clean: 11, corrupted: 1)
        #expect(abs(try normalised(logits) - 0.45) < 1e-6)
    }

    /// Log-probability and KL divergence against their formulas.
    @Test func logProbAndKL() throws {
        let row: [Double] = (0..<5).map { Double($0 * $0) }
        let lse = log(row.map(exp).reduce(0, +))
        let logProb = PatchingMetric.logProb(tokens: [4, 4])
        #expect(abs(Double(try logProb(logits)) - (16 - lse)) < 1e-5)
        let kl = try PatchingMetric.klDivergence(from: logits)
        #expect(abs(try kl(logits)) < 1e-6)
        #expect(try kl(logits * 0.5) > 0)
    }

    /// Wrong rows, tokens outside the vocabulary, unequal answer pairs and a metric that cannot be
    /// normalised are errors.
    @Test func errors() throws {
        #expect(throws: LensError.self) { _ = try PatchingMetric.logitDiff(answers: [1], wrong: [1, 2]) }
        #expect(throws: LensError.self) { _ = try AnswerPair(answer: [1, 2], wrong: [3]) }
        #expect(throws: LensError.self) { _ = try PatchingMetric.logitDiff(answers: [1, 9], wrong: [0, 0])(logits) }
        #expect(throws: LensError.self) { _ = try PatchingMetric.logitDiff(answers: [1], wrong: [0])(logits) }
        #expect(throws: LensError.self) { _ = try PatchingMetric.logProb(tokens: [1, 2])(logits[0]) }
        #expect(throws: LensError.self) { _ = try PatchingMetric.logitDiff(answers: [1, 1], wrong: [0, 0]).normalized(clean: 2, corrupted: 2) }
        #expect(throws: LensError.self) { _ = try PatchingMetric.klDivergence(from: logits)(logits[.all, .all, 0..<4]) }
    }
}
