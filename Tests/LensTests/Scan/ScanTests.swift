import Foundation
import Testing
@testable import Lens

/// A corpus scan of the demo model checked against a brute-force computation over the same contexts and batches:
/// counts, exact sums, histograms, top contexts with their windows, band samples; and a scan resumed batch by batch
/// equals one that ran straight through.
@Suite struct ScanTests {
    static let options = ScanOptions(batchSize: 5, topK: 4, windowBefore: 3, windowAfter: 2, samplesPerBand: 2, seed: 7)

    /// The demo corpus lines in a file, cut into 16-token contexts.
    static func setup() throws -> (LensModel, Corpus, PackingOptions) {
        let model = try ScanFixtures.model()
        let file = try ScanFixtures.write((ScanFixtures.lines + ScanFixtures.lines.reversed()).joined(separator: "\n") + "\n",
                                          "corpus.txt", in: ScanFixtures.folder())
        return (model, try Corpus(paths: [file.path]), PackingOptions(contextLength: 16, tokenizer: model.tokenizer))
    }

    @Test func neuronAndHeadScanMatchesBruteForce() throws {
        let (model, corpus, packing) = try Self.setup()
        let units: [any ScanUnits] = [try NeuronUnits(layer: 1, model: model.transformer),
                                      try HeadUnits(layers: [0, 2], model: model.transformer)]
        let result = try CorpusScan(units: units, options: Self.options, packing: packing).run(model: model, corpus: corpus)
        var contexts: [[Int32]] = []
        let packer = try ContextPacker(corpus: corpus, tokenizer: model.tokenizer, options: packing,
                                       vocabularySize: model.config.dVocab)
        let report = try packer.forEachContext { _, tokens in contexts.append(tokens) }
        #expect(result.checkpoint.report == report)
        #expect(report.contexts == contexts.count && contexts.count > 6 && contexts.count % 5 != 0)
        for (k, set) in units.enumerated() {
            // The reference runs the same batches of five contexts, so every activation is bit-identical.
            var rows: [Tensor] = []
            for start in stride(from: 0, to: contexts.count, by: 5) {
                let batch = Array(contexts[start..<min(start + 5, contexts.count)])
                let tokens = Tensor(ints: batch.flatMap { $0.map(Int.init) }, shape: [batch.count, 16])
                let (_, cache) = try model.runWithCache(tokens, names: .names(set.hooks))
                rows.append(try set.activations(Dictionary(uniqueKeysWithValues: try set.hooks.map { ($0, try cache[$0]) })))
            }
            try Self.check(result.statistics[k], against: Tensor.concat(rows, axis: 0), contexts: contexts)
        }
        let card = result.card(set: 0, unit: 5)
        #expect(card.summary.label == "L1N5" && card.top.count == 4 && card.logitEffects?.boosted.count == 10)
        #expect(result.card(set: 1, unit: 0).logitEffects == nil && result.card(set: 1, unit: 5).summary.label == "L2H1")
    }

    /// Compares statistics with activations `[contexts · 16, units]` computed directly.
    static func check(_ stats: UnitStatistics, against activations: Tensor, contexts: [[Int32]]) throws {
        let units = activations.shape[1], values = activations.scalars, positions = 16
        let bins = options.bins
        #expect(stats.tokens == contexts.count * positions)
        for u in 0..<units {
            let column = (0..<(contexts.count * positions)).map { values[$0 * units + u] }
            #expect(stats.firing[u] == Int64(column.filter { $0 > 0 }.count))
            #expect(stats.sum[u] == column.reduce(Int128(0)) { $0 + Int128(Int64((Double($1) * 0x1p32).rounded(.toNearestOrEven))) })
            var histogram = [Int64](repeating: 0, count: bins.count)
            for x in column where x != 0 { histogram[bins.bin(of: x)] += 1 }
            #expect(stats.histogram(of: u) == histogram, "unit \(u)")
            // Top contexts: the largest value of each context (first position on ties), ranked by value then context.
            let best = contexts.indices.map { c -> (Float, Int, Int) in
                let row = column[(c * positions)..<((c + 1) * positions)]
                let p = row.indices.first { row[$0] == row.max()! }! - c * positions
                return (row.max()!, c, p)
            }.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }.prefix(options.topK)
            #expect(stats.top[u].map { [$0.value, Float($0.context), Float($0.position)] } == best.map { [$0.0, Float($0.1), Float($0.2)] })
            for example in stats.top[u] {
                let start = max(0, example.position - 3), end = min(positions, example.position + 3)
                #expect(example.windowStart == start && example.tokens == contexts[example.context][start..<end].map(Int.init))
                #expect(example.activations == (start..<end).map { column[example.context * positions + $0] })
            }
            // Band samples: in each band the tokens of lowest priority.
            var expected: [Int: [UInt64]] = [:]
            for (t, x) in column.enumerated() where x > 0 {
                let band = bins.band(ofSidePosition: bins.bin(of: x) - bins.side)
                expected[band, default: []].append(UnitStatistics.priority(seed: options.seed ^ stats.salt, unit: u, token: t))
            }
            let kept = Dictionary(grouping: stats.samples[u], by: \.band).mapValues { $0.map(\.priority).sorted() }
            #expect(kept == expected.mapValues { Array($0.sorted().prefix(options.samplesPerBand)) }, "unit \(u)")
            for sample in stats.samples[u] {
                #expect(sample.example.value == column[sample.example.context * positions + sample.example.position])
            }
        }
    }

    @Test func resumedScanEqualsOneRun() throws {
        let (model, corpus, packing) = try Self.setup()
        let scan = CorpusScan(units: [try NeuronUnits(layer: 0, model: model.transformer)], options: Self.options, packing: packing)
        let whole = try scan.run(model: model, corpus: corpus)
        let store = MemoryStore()
        var runs = 0, result: ScanResult
        repeat {
            result = try scan.run(model: model, corpus: corpus, store: store, maxBatches: 1)
            runs += 1
        } while !result.checkpoint.finished && runs < 100
        #expect(runs == (whole.checkpoint.contexts + 4) / 5 + 1)
        #expect(result.statistics == whole.statistics && result.checkpoint.report == whole.checkpoint.report)
        #expect(result.checkpoint.contexts == whole.checkpoint.contexts)
        // A different scan configuration is refused by the store.
        var other = scan
        other.options.topK = 5
        #expect(throws: LensError.self) { try other.run(model: model, corpus: corpus, store: store) }
    }

    /// Units added block by block (how a scan records an SAE's features) give the statistics of the whole matrix
    /// added at once: each unit's update depends only on its own column, in context and position order.
    @Test func blocksOfUnitsEqualTheWholeSet() throws {
        var random = SeededGenerator(seed: 3)
        let (contexts, positions, units) = (3, 10, 37)
        let tokens = (0..<contexts).map { _ in (0..<positions).map { _ in Int32(random.next() % 50) } }
        // Mostly zeros, like an SAE's features; some negatives and ties.
        let values = (0..<(contexts * positions * units)).map { _ -> Float in
            let r = random.next() % 8
            return r < 5 ? 0 : Float(Int(random.next() % 64) - 16) / 8
        }
        let matrix = Tensor(values, shape: [contexts * positions, units])
        var whole = UnitStatistics(count: units, options: Self.options, salt: 5)
        try whole.add(matrix, tokens: tokens, firstContext: 4, name: "set")
        var blocks = UnitStatistics(count: units, options: Self.options, salt: 5)
        for block in [0..<16, 16..<32, 32..<37] {
            try blocks.add(matrix[.all, block].contiguous(), units: block, tokens: tokens, firstContext: 4, name: "set")
        }
        blocks.countTokens(tokens)
        #expect(blocks == whole && whole.tokens == contexts * positions)
        #expect(whole.top.allSatisfy { !$0.isEmpty } && whole.samples.contains { !$0.isEmpty })
    }
}
