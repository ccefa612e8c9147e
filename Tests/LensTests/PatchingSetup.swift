import Foundation
import Lens

/// The clean/corrupted setup of `Scripts/fixtures/lens_techniques.py` on a tiny model fixture: corrupted
/// tokens replace positions 2 and 4 by `(t + d_vocab / 2) % d_vocab`; `answer` is the clean run's last-position
/// argmax, `wrong` the corrupted run's (its second choice when that equals `answer`).
struct PatchingSetup {
    let model: HookedTransformer
    let clean: Tensor
    let corrupted: Tensor
    let cleanLogits: Tensor
    let corruptedLogits: Tensor
    let answers: [Int]
    let wrong: [Int]

    init(_ name: String) throws {
        model = try LensFixture.model(name, processed: true)
        clean = try LensFixture.tokens(name)
        let vocab = model.config.dVocab
        var ids = clean.intScalars
        let positions = clean.shape[1]
        for b in 0..<clean.shape[0] {
            for p in [2, 4] { ids[b * positions + p] = (ids[b * positions + p] + vocab / 2) % vocab }
        }
        corrupted = Tensor(ints: ids, shape: clean.shape)
        cleanLogits = try model.forward(tokens: clean)
        corruptedLogits = try model.forward(tokens: corrupted)
        let best = cleanLogits[.all, positions - 1].argmax(axis: -1).intScalars
        let top2 = corruptedLogits[.all, positions - 1].topk(2, axis: -1).indices.intScalars
        answers = best
        wrong = best.indices.map { top2[2 * $0] != best[$0] ? top2[2 * $0] : top2[2 * $0 + 1] }
    }

    /// The raw logit difference metric.
    func rawMetric() throws -> PatchingMetric { try .logitDiff(answers: answers, wrong: wrong) }

    /// The logit difference normalised to 0 on the corrupted run and 1 on the clean run.
    func normalisedMetric() throws -> PatchingMetric {
        try rawMetric().normalized(cleanLogits: cleanLogits, corruptedLogits: corruptedLogits)
    }
}
