import Foundation
import NN
import Testing

/// `lastPositionLogits`: the last block computes only what the last position needs, yet the logits equal
/// the full pass's last row on every architecture (rotary, grouped-query, parallel blocks, QK norm, local
/// windows and soft-capping included), from the embeddings or a later block, with or without a key/value
/// cache of earlier positions.
@Suite struct LastPositionTests {
    /// Records the names of the hook points it sees.
    final class Observer: ActivationHooks {
        let names: Set<String>
        private(set) var seen: [String] = []
        init(_ names: Set<String>) { self.names = names }
        func isActive(_ name: String) -> Bool { names.contains(name) }
        func visit(_ name: String, _ value: Tensor) throws -> Tensor {
            seen.append(name)
            return value
        }
    }

    @Test(arguments: ModelFixture.checkpoints)
    func equalsTheFullPassAtTheLastPosition(_ name: String) throws {
        let model = try ModelFixture.model(name, processed: true)
        let tokens = Tensor(ints: try ModelFixture.tokens(name).flatMap { $0 }, shape: [2, 7])
        let full = try model.forward(tokens: tokens)[.all, 6...]
        let n = model.config.nLayers
        for start in [0, n - 1] {
            let residual = try model.forward(tokens: tokens, stopAtLayer: start)
            let last = try model.lastPositionLogits(residual: residual, startAtLayer: start)
            #expect(last.shape == full.shape)
            // Tolerance: the same sums in the same order except the K/V projection is a narrower GEMM.
            #expect(scaledError(last, full) < 1e-5, "\(name) from block \(start)")
        }
        let prefix = KVCache(layers: n, batch: 2)
        _ = try model.forward(tokens: tokens[.all, 0..<4], cache: prefix)
        let rest = try model.forward(tokens: tokens, stopAtLayer: 0)[.all, 4...]
        let cached = try model.lastPositionLogits(residual: rest, startAtLayer: 0, cache: prefix)
        #expect(scaledError(cached, full) < 1e-5, "\(name) after a cache of 4 positions")
        #expect(prefix.length == 7)
    }

    /// Hooks before the last block run; a hook in the last block or after it is an error naming it.
    @Test func hooksBeforeTheLastBlockRunLaterOnesThrow() throws {
        let model = try ModelFixture.model("gpt2", processed: true)
        let tokens = Tensor(ints: try ModelFixture.tokens("gpt2").flatMap { $0 }, shape: [2, 7])
        let residual = try model.forward(tokens: tokens, stopAtLayer: 0)
        let early = Observer(["blocks.0.attn.hook_z"])
        _ = try model.lastPositionLogits(residual: residual, startAtLayer: 0, hooks: early)
        #expect(early.seen == ["blocks.0.attn.hook_z"])
        for late in ["blocks.1.attn.hook_z", "ln_final.hook_normalized", "unembed.hook_out"] {
            #expect(throws: ForwardError.self, "\(late)") {
                _ = try model.lastPositionLogits(residual: residual, startAtLayer: 0, hooks: Observer([late]))
            }
        }
        #expect(throws: ForwardError.self) {
            _ = try model.lastPositionLogits(residual: residual[.all, .all, 0..<3], startAtLayer: 0)
        }
    }
}
