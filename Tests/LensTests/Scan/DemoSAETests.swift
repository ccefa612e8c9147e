import Foundation
import Testing
@testable import Lens

/// The demo SAE trained in PyTorch (Scripts/demo_sae/train.py) fits what SwiftLens computes at its hook: on contexts
/// of the demo corpus its explained variance and L0 are those of its card (measured there on held-out documents).
@Suite struct DemoSAETests {
    static let saeFolder = ScanFixtures.modelFolder.appendingPathComponent("sae/blocks.1.hook_resid_post")

    /// A number from the card's table row starting with `label`.
    static func cardValue(_ label: String) throws -> Double {
        let card = try String(contentsOf: saeFolder.appendingPathComponent("SAE_CARD.md"), encoding: .utf8)
        let row = try #require(card.split(separator: "\n").first { $0.hasPrefix("| " + label) })
        return try #require(Double(row.split(separator: "|").last!.trimmingCharacters(in: .whitespaces)))
    }

    @Test func reconstructsTheHookAsItsCardSays() throws {
        let model = try ScanFixtures.model()
        let sae = try SparseAutoencoder(folder: Self.saeFolder)
        // The first 200 documents of the demo corpus (enough for 8 contexts; the tokenizer is slow in debug builds).
        let text = try String(contentsOf: ScanFixtures.modelFolder.appendingPathComponent("corpus.txt"), encoding: .utf8)
        let head = text.split(separator: "\n").prefix(200).joined(separator: "\n")
        let corpus = try Corpus(paths: [ScanFixtures.write(head, "corpus.txt", in: ScanFixtures.folder()).path])
        var contexts: [[Int32]] = []
        try ContextPacker(corpus: corpus, tokenizer: model.tokenizer, options: PackingOptions(contextLength: 128, tokenizer: model.tokenizer),
                          vocabularySize: model.config.dVocab).forEachContext { index, tokens in if index < 8 { contexts.append(tokens) } }
        let tokens = Tensor(ints: contexts.flatMap { $0.map(Int.init) }, shape: [8, 128])
        let (_, cache) = try model.runWithCache(tokens, names: .names([sae.config.hookName!]))
        let x = try cache[sae.config.hookName!][.all, 1...].contiguous().reshaped([-1, 128])  // BOS left out, as in training
        let f = try sae.encode(x)
        let residual = (x - (try sae.decode(f))).square().sum().item()
        let variance = (x - x.mean(axis: 0, keepDims: true)).square().sum().item()
        let explained = Double(1 - residual / variance), l0 = Double((f .> 0).sum().item()) / Double(x.shape[0])
        // Held-out documents in the card, other documents here: explained variance within 0.05, L0 within 25%.
        #expect(abs(explained - (try Self.cardValue("explained variance"))) < 0.05, "explained variance \(explained)")
        #expect(abs(l0 / (try Self.cardValue("L0")) - 1) < 0.25, "L0 \(l0)")
    }
}
