import Foundation

extension HookedTransformer {
    /// A new model with random weights, as TransformerLens's `HookedTransformer(cfg)` builds one
    /// (`init_weights`): every weight matrix (`W_E`, `W_pos`, `W_Q`, `W_K`, `W_V`, `W_O`, `W_in`, `W_gate`,
    /// `W_out`, `W_U`) drawn as `config.initMode` says, biases 0 and norm gains 1.
    ///
    /// The weights are reproducible for a seed (`seed`, else `config.seed`, else 0) but are not torch's random
    /// stream: the distributions match TransformerLens, not the numbers. Fans are TransformerLens's
    /// (`calc_fan_in_and_fan_out`): `[d_in, d_out]` matrices have fan-in `d_in`; head weights
    /// `[n_heads, a, b]` have fan-in `a` and fan-out `n_heads · b`. As in TransformerLens, `.muP` gives every
    /// matrix whose name contains "embed" (the unembedding too) scale 1.
    public init(config: ModelConfig, seed: UInt64? = nil) throws {
        try config.validate()
        let base = seed ?? config.seed ?? 0
        var sd = StateDict(source: "random initialisation")
        for (name, shape) in Self.weightMatrixShapes(config) {
            sd[name] = Self.randomWeight(name: name, shape: shape, config: config, seed: base)
        }
        try self.init(config: config, stateDict: sd)
    }

    /// Names and shapes of the weight matrices of `config`'s model, in TransformerLens's parameter order.
    static func weightMatrixShapes(_ config: ModelConfig) -> [(String, [Int])] {
        let d = config.dModel, dh = config.dHead, n = config.nHeads, kv = config.keyValueHeads
        let mark = config.usesGroupedNames ? "_" : ""
        var shapes: [(String, [Int])] = [("embed.W_E", [config.dVocab, d])]
        if config.positionalEmbeddingType == .standard { shapes.append(("pos_embed.W_pos", [config.nCtx, d])) }
        for layer in 0..<config.nLayers {
            let p = "blocks.\(layer)"
            shapes += [("\(p).attn.W_Q", [n, d, dh]), ("\(p).attn.\(mark)W_K", [kv, d, dh]),
                       ("\(p).attn.\(mark)W_V", [kv, d, dh]), ("\(p).attn.W_O", [n, dh, d])]
            if !config.attnOnly, let m = config.dMLP {
                if config.gatedMLP { shapes.append(("\(p).mlp.W_gate", [d, m])) }
                shapes += [("\(p).mlp.W_in", [d, m]), ("\(p).mlp.W_out", [m, d])]
            }
        }
        shapes.append(("unembed.W_U", [d, config.dVocabOut]))
        return shapes
    }

    /// One weight matrix drawn as `config.initMode` says, from a stream fixed by `seed` and the name.
    static func randomWeight(name: String, shape: [Int], config: ModelConfig, seed: UInt64) -> Tensor {
        // FNV-1a of the name, so each matrix has its own stream whatever the order or the other matrices.
        let nameHash = name.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        let stream = seed &* 0x9E37_79B9_7F4A_7C15 ^ nameHash
        let (fanIn, fanOut) = shape.count == 3 ? (shape[1], shape[0] * shape[2]) : (shape[0], shape[1])
        let gain = config.initializerRange ?? 1
        func normal(_ std: Double) -> Tensor { Tensor.randomNormal(shape, std: Float(std), seed: stream) }
        func uniform(_ bound: Double) -> Tensor {
            Tensor.randomUniform(shape, low: Float(-bound), high: Float(bound), seed: stream)
        }
        switch config.initMode {
        case .gpt2: return normal(config.initializerRange ?? 0.8 / Double(config.dModel).squareRoot())
        case .xavierUniform: return uniform(gain * (6 / Double(fanIn + fanOut)).squareRoot())
        case .xavierNormal: return normal(gain * (2 / Double(fanIn + fanOut)).squareRoot())
        case .kaimingUniform: return uniform(gain * 2.0.squareRoot() * (3 / Double(fanIn)).squareRoot())
        case .kaimingNormal: return normal(gain * 2.0.squareRoot() / Double(fanIn).squareRoot())
        case .muP: return normal(name.contains("embed") ? 1 : 1 / Double(fanIn).squareRoot())
        }
    }
}
