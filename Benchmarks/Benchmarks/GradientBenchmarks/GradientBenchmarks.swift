import Benchmark
import NN

/// The backward pass against the forward pass on a GPT-2-small-shaped model (12 layers, d_model 768, 12 heads,
/// d_mlp 3072, vocabulary 50257; random weights, std 0.02) at 128 tokens: `forward`, the recording forward, and the
/// backward pass of a last-position logit difference (measured on a fresh recording each iteration). The ratio
/// backward / forward is the figure to read (target ≤ 2).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], warmupIterations: 1, maxDuration: .seconds(10),
                                           maxIterations: 20)
    let model = gpt2Small()
    let tokens = Tensor(ints: (0..<128).map { ($0 * 7919) % 50257 }, shape: [1, 128])
    Benchmark("forward 1x128") { bench in
        for _ in bench.scaledIterations { blackHole(try model.forward(tokens: tokens)) }
    }
    Benchmark("recording forward 1x128") { bench in
        for _ in bench.scaledIterations { blackHole(try model.forwardForBackward(tokens: tokens)) }
    }
    Benchmark("backward 1x128") { bench in
        for _ in bench.scaledIterations {
            let pass = try model.forwardForBackward(tokens: tokens)
            var gradient = Tensor(zeros: pass.logits.shape)
            gradient[0, 127, 11] = Tensor(scalar: 1)
            gradient[0, 127, 13] = Tensor(scalar: -1)
            bench.startMeasurement()
            blackHole(try model.backward(pass, logitsGradient: gradient))
            bench.stopMeasurement()
        }
    }
}

/// A random GPT-2-small-shaped model in TransformerLens names.
func gpt2Small() -> HookedTransformer {
    let config = ModelConfig(dModel: 768, dHead: 64, nHeads: 12, nLayers: 12, nCtx: 1024, dVocab: 50257, dMLP: 3072,
                             actFn: .geluNew)
    var seed: UInt64 = 0
    func normal(_ shape: [Int]) -> Tensor {
        seed += 1
        return Tensor.randomNormal(shape, std: 0.02, seed: seed)
    }
    var weights: [(String, Tensor)] = [("embed.W_E", normal([50257, 768])), ("pos_embed.W_pos", normal([1024, 768])),
                                       ("unembed.W_U", normal([768, 50257]))]
    for l in 0..<12 {
        let p = "blocks.\(l)."
        weights += [(p + "attn.W_Q", normal([12, 768, 64])), (p + "attn.W_K", normal([12, 768, 64])),
                    (p + "attn.W_V", normal([12, 768, 64])), (p + "attn.W_O", normal([12, 64, 768])),
                    (p + "mlp.W_in", normal([768, 3072])), (p + "mlp.W_out", normal([3072, 768]))]
    }
    var stateDict = StateDict()
    for (name, tensor) in weights { stateDict[name] = tensor }
    return try! HookedTransformer(config: config, stateDict: stateDict)
}
