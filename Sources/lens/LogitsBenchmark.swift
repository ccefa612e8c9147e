import Foundation
import Lens

/// Timings `lens logits --benchmark-repeats` adds for Benchmarks/compare_scale.py: where a forward's time goes
/// (its weight products alone), greedy generation speed, and the peak resident memory.
struct LogitsBenchmark {
    let model: HookedTransformer
    let tokens: Tensor
    let repeats: Int

    /// `, "matmul_seconds": …, …` JSON fields (leading comma) for `generate` new tokens.
    func fields(generate: Int) throws -> String {
        var out = ", \"matmul_seconds\": \(best { matmuls() })"
        if generate > 0 {
            let prompt = Array(tokens.intScalars.prefix(tokens.shape[1]))
            let options = GenerationOptions(maxNewTokens: generate, sampling: SamplingOptions(temperature: 0),
                                            eosTokenIDs: [])
            let seconds = try best { _ = try model.generate([prompt], options: options) }
            out += ", \"generate_seconds\": \(seconds), \"generated_tokens\": \(generate)"
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return out + ", \"max_rss_bytes\": \(usage.ru_maxrss * 1024)"
    }

    /// Best wall seconds of `repeats` runs of `body`.
    private func best(_ body: () throws -> Void) rethrows -> Double {
        var seconds = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            seconds = min(seconds, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return seconds
    }

    /// Every weight product of one forward over `tokens`' rows, on random inputs of the same shapes.
    private func matmuls() {
        let rows = tokens.count
        func product(_ w: Tensor) { _ = Tensor.full([rows, w.shape[0]], 0.01).matmul(weight: w) }
        for block in model.blocks {
            let attn = block.attn
            for w in [attn.W_Q, attn.W_K_grouped, attn.W_V_grouped] {
                product(w.permuted([1, 0, 2]).reshaped([w.shape[1], w.shape[0] * w.shape[2]]))
            }
            product(attn.W_O.reshaped([attn.nHeads * attn.dHead, attn.dModel]))
            if let mlp = block.mlp {
                if let gated = mlp as? GatedMLP { product(gated.W_gate) }
                product(mlp.W_in)
                product(mlp.W_out)
            }
        }
        product(model.unembed.W_U)
    }
}
