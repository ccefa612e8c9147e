import Foundation

/// A sparse autoencoder or transcoder loaded from an SAELens folder (`cfg.json`, `sae_weights.safetensors`),
/// computing what SAELens 6.54 computes.
///
/// `encode`: `sae_in = norm(x) − b_dec` (the subtraction only with `apply_b_dec_to_input`, never for
/// transcoders), `h = sae_in W_enc + b_enc`, then the architecture's activation (see `SAEArchitecture`).
/// `decode`: `a W_dec + b_dec`, normalisation undone (not for transcoders), `hook_z` shape restored.
public struct SparseAutoencoder: Sendable {
    /// The parsed configuration.
    public let config: SAEConfig
    /// Encoder `[d_in, d_sae]`.
    public let W_enc: Tensor
    /// Decoder `[d_sae, d_out]`.
    public let W_dec: Tensor
    /// Encoder bias `[d_sae]` (zeros for gated SAEs, which use `b_gate` and `b_mag`).
    public let b_enc: Tensor
    /// Decoder bias `[d_out]`.
    public let b_dec: Tensor
    /// JumpReLU thresholds `[d_sae]`.
    public let threshold: Tensor?
    /// Gated SAE gate bias, magnitude bias and log magnitude scale, each `[d_sae]`.
    public let b_gate: Tensor?, b_mag: Tensor?, r_mag: Tensor?
    /// Skip transcoder skip weight `[d_out, d_in]`.
    public let W_skip: Tensor?

    /// Loads `folder/cfg.json` and `folder/sae_weights.safetensors`, checking every tensor the architecture
    /// needs (by name and shape). A JumpReLU `log_threshold` is read as `threshold = exp(log_threshold)`; a
    /// `scaling_factor` of ones is ignored, any other is unsupported.
    public init(folder: URL) throws {
        let configURL = folder.appendingPathComponent("cfg.json")
        let data: Data
        do { data = try Data(contentsOf: configURL) } catch {
            throw SAEError.unreadable(file: configURL.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        let config = try SAEConfig(json: data, file: configURL.path)
        let weightsPath = folder.appendingPathComponent("sae_weights.safetensors").path
        let file: SafetensorsFile
        do { file = try SafetensorsFile(path: weightsPath) } catch {
            throw SAEError.unreadable(file: weightsPath, reason: "\(error)")
        }
        try self.init(config: config, weights: file)
    }

    /// An SAE from a parsed config and an open weights file.
    public init(config: SAEConfig, weights file: SafetensorsFile) throws {
        let names = Set(file.names)
        func load(_ name: String, _ shape: [Int]) throws -> Tensor {
            guard names.contains(name) else { throw SAEError.missingTensor(name, file: file.path) }
            let found = try file.shape(of: name)
            guard found == shape else { throw SAEError.tensorShape(name, file: file.path, expected: shape, found: found) }
            return try file.tensor(name).converted(to: .float32).contiguous()
        }
        let (dIn, dSAE, dOut) = (config.dIn, config.dSAE, config.dOut)
        if names.contains("scaling_factor"), try load("scaling_factor", [dSAE]).scalars.contains(where: { $0 != 1 }) {
            throw SAEError.unsupported("scaling_factor", value: "not all ones", file: file.path)
        }
        self.config = config
        W_enc = try load("W_enc", [dIn, dSAE])
        W_dec = try load("W_dec", [dSAE, dOut])
        b_dec = try load("b_dec", [dOut])
        let gated = config.architecture == .gated
        b_enc = gated ? Tensor(zeros: [dSAE]) : try load("b_enc", [dSAE])
        (b_gate, b_mag, r_mag) = gated ? (try load("b_gate", [dSAE]), try load("b_mag", [dSAE]), try load("r_mag", [dSAE]))
            : (nil, nil, nil)
        if config.architecture == .jumprelu {
            threshold = names.contains("threshold") || !names.contains("log_threshold")
                ? try load("threshold", [dSAE]) : try load("log_threshold", [dSAE]).exp()
        } else {
            threshold = nil
        }
        W_skip = config.architecture == .skipTranscoder ? try load("W_skip", [dOut, dIn]) : nil
    }

    /// The activations of every stage of one encode–decode pass (SAELens's hook points).
    public struct Pass: Sendable {
        /// `hook_sae_input`: the input, flattened for `hook_z`, before normalisation.
        public let input: Tensor
        /// `hook_sae_acts_pre`: pre-activations `[..., d_sae]` (the magnitude path for gated SAEs).
        public let actsPre: Tensor
        /// `hook_sae_acts_post`: feature activations `[..., d_sae]`.
        public let actsPost: Tensor
        /// `hook_sae_recons`: `acts_post W_dec + b_dec` before normalisation is undone `[..., d_out]`.
        public let recons: Tensor
        /// The decoded output (normalisation undone, `hook_z` shape restored, skip path added).
        public let output: Tensor
    }

    /// Feature activations `[..., d_sae]` of `x` (`[..., d_in]`, or `[..., n_heads, d_head]` for `hook_z` SAEs).
    public func encode(_ x: Tensor) throws -> Tensor { try encodeStages(x).2 }

    /// The reconstruction of feature activations `[..., d_sae]`: `[..., d_out]`. Activation normalisation
    /// and the `hook_z` shape need the encoded input: pass it as `input` (SAELens keeps it from the last
    /// `encode`); without it a normalising SAE throws and a `hook_z` SAE returns the flat `[..., d_in]`.
    public func decode(_ featureActs: Tensor, input: Tensor? = nil) throws -> Tensor {
        guard featureActs.shape.last == config.dSAE else {
            throw SAEError.invalidInput("feature activations \(featureActs.shape) do not end in d_sae \(config.dSAE)")
        }
        let flat = try input.map { try flatten($0) }
        return try finishDecode(linearDecode(featureActs), flatInput: flat, originalShape: input?.shape)
    }

    /// `decode(encode(x))`, plus `x W_skipᵀ` for a skip transcoder (SAELens's `forward` without the error term).
    public func forward(_ x: Tensor) throws -> Tensor { try run(x).output }

    /// Every stage of encoding and decoding `x`, with `edit` applied to the named stages on the way
    /// (`hook_sae_acts_pre`, `hook_sae_acts_post`, `hook_sae_recons`), for splicing with hooks.
    public func run(_ x: Tensor, edit: ((String, Tensor) throws -> Tensor)? = nil) throws -> Pass {
        let (flatInput, actsPre, actsPost) = try encodeStages(x, edit: edit)
        var recons = try linearDecode(actsPost)
        if let edit { recons = try edit("hook_sae_recons", recons) }
        var output = try finishDecode(recons, flatInput: flatInput, originalShape: x.shape)
        if let W_skip { output = output + x.matmul(W_skip.T) }
        return Pass(input: flatInput, actsPre: actsPre, actsPost: actsPost, recons: recons, output: output)
    }

    /// `hook_z` input `[..., n_heads, d_head]` as `[..., d_in]`; other input checked to end in `d_in`.
    private func flatten(_ x: Tensor) throws -> Tensor {
        if config.reshapeHookZ, x.rank >= 2, x.shape[x.rank - 2] * x.shape[x.rank - 1] == config.dIn {
            return x.flattened(from: x.rank - 2)
        }
        guard x.shape.last == config.dIn else {
            throw SAEError.invalidInput("input \(x.shape) does not end in d_in \(config.dIn)")
        }
        return x
    }

    /// What the encoder multiplies: `x` flattened (`hook_z`), normalised and, with `apply_b_dec_to_input`,
    /// minus `b_dec`: `[..., d_in]`.
    public func encoderInput(_ x: Tensor) throws -> Tensor {
        try encoderInput(flat: flatten(x).converted(to: .float32))
    }

    private func encoderInput(flat: Tensor) -> Tensor {
        let sae = normalizeIn(flat)
        return config.applyBDecToInput && !config.architecture.isTranscoder ? sae - b_dec : sae
    }

    /// Whether `encodeFeatures` can compute a subset of features (every architecture but top-k, whose features
    /// compete within a row).
    public var encodesFeaturesSeparately: Bool { config.architecture != .topk }

    /// Activations `[..., features.count]` of the features `features` only, from `input = encoderInput(x)`:
    /// the columns `features` of what `encode(x)` computes, through the encoder's columns `features` alone.
    /// Throws `SAEError.invalidInput` for a top-k SAE or a range outside `0 ..< d_sae`.
    public func encodeFeatures(_ features: Range<Int>, input: Tensor) throws -> Tensor {
        guard encodesFeaturesSeparately, features.clamped(to: 0..<config.dSAE) == features else {
            throw SAEError.invalidInput("features \(features) of a \(config.architecture.rawValue) SAE with d_sae \(config.dSAE) "
                                        + "cannot be encoded separately")
        }
        let columns = W_enc[.all, features]
        if config.architecture == .gated {
            let gate = (input.matmul(columns) + b_gate![features]) .> 0
            return gate * (input.matmul(columns * r_mag![features].exp()) + b_mag![features]).relu()
        }
        let pre = input.matmul(columns) + b_enc[features]
        return config.architecture == .jumprelu ? pre.relu() * (pre .> threshold![features]) : pre.relu()
    }

    /// Flattened input, pre-activations and feature activations.
    private func encodeStages(_ x: Tensor, edit: ((String, Tensor) throws -> Tensor)? = nil) throws
        -> (Tensor, Tensor, Tensor) {
        let flat = try flatten(x).converted(to: .float32)
        let sae = encoderInput(flat: flat)
        var pre: Tensor, post: Tensor
        switch config.architecture {
        case .gated:
            // gate = 1[x W_enc + b_gate > 0]; magnitude = relu(x (W_enc ⊙ exp(r_mag)) + b_mag)
            let gate = (sae.matmul(W_enc) + b_gate!) .> 0
            pre = sae.matmul(W_enc * r_mag!.exp()) + b_mag!
            if let edit { pre = try edit("hook_sae_acts_pre", pre) }
            post = gate * pre.relu()
        default:
            pre = sae.matmul(W_enc) + b_enc
            if let edit { pre = try edit("hook_sae_acts_pre", pre) }
            post = activate(pre)
        }
        if let edit { post = try edit("hook_sae_acts_post", post) }
        return (flat, pre, post)
    }

    /// The architecture's activation of pre-activations `h`.
    private func activate(_ h: Tensor) -> Tensor {
        switch config.architecture {
        case .jumprelu: return h.relu() * (h .> threshold!)
        case .topk: return topK(config.rescaleActsByDecoderNorm ? h * decoderNorms : h, config.k ?? config.dSAE)
        default: return h.relu()
        }
    }

    /// Row norms of `W_dec` `[d_sae]`.
    var decoderNorms: Tensor { W_dec.square().sum(axis: -1).sqrt() }

    /// `relu` of the `k` largest entries of each row of `h`, zeros elsewhere (SAELens's `TopK`).
    private func topK(_ h: Tensor, _ k: Int) -> Tensor {
        let (values, indices) = h.topk(k, axis: -1)
        let width = h.shape[h.rank - 1], rows = h.count / max(width, 1)
        let v = values.contiguous().scalars, i = indices.intScalars
        var out = [Float](repeating: 0, count: h.count)
        for r in 0..<rows {
            for j in 0..<k { out[r * width + i[r * k + j]] = Swift.max(v[r * k + j], 0) }
        }
        return Tensor(out, shape: h.shape)
    }

    /// `a W_dec + b_dec` (rows of `W_dec` normalised first for a rescaling top-k SAE).
    private func linearDecode(_ acts: Tensor) throws -> Tensor {
        guard acts.shape.last == config.dSAE else {
            throw SAEError.invalidInput("feature activations \(acts.shape) do not end in d_sae \(config.dSAE)")
        }
        let scaled = config.rescaleActsByDecoderNorm ? acts / decoderNorms : acts
        return scaled.matmul(W_dec) + b_dec
    }

    /// Undoes the input normalisation (SAEs only) and restores the `hook_z` shape of `originalShape`.
    private func finishDecode(_ recons: Tensor, flatInput: Tensor?, originalShape: [Int]?) throws -> Tensor {
        var out = recons
        if !config.architecture.isTranscoder, ![.none, .expectedAverageOnlyIn].contains(config.normalizeActivations) {
            guard let flatInput else {
                throw SAEError.invalidInput("decoding with \(config.normalizeActivations.rawValue) normalisation needs the encoded input")
            }
            out = normalizeOut(out, input: flatInput)
        }
        if config.reshapeHookZ, let originalShape, originalShape.count >= 2, out.shape.last == config.dIn,
           originalShape.last != config.dIn {
            out = out.reshaped(Array(out.shape.dropLast()) + Array(originalShape.suffix(2)))
        }
        return out
    }

    /// The input normalisation: `x √d_in / ‖x‖`, or `(x − μ) / (σ + 1e-5)` with the unbiased σ.
    private func normalizeIn(_ x: Tensor) -> Tensor {
        switch config.normalizeActivations {
        case .constantNormRescale: return x * (Float(config.dIn).squareRoot() / x.norm(axes: [-1], keepDims: true))
        case .layerNorm:
            let centred = x - x.mean(axis: -1, keepDims: true)
            return centred / (centred.std(axes: [-1], keepDims: true, correction: 1) + 1e-5)
        case .none, .expectedAverageOnlyIn: return x
        }
    }

    /// Inverse of `normalizeIn` with the statistics of `input`.
    private func normalizeOut(_ y: Tensor, input x: Tensor) -> Tensor {
        switch config.normalizeActivations {
        case .constantNormRescale: return y / (Float(config.dIn).squareRoot() / x.norm(axes: [-1], keepDims: true))
        case .layerNorm:
            let mean = x.mean(axis: -1, keepDims: true)
            return y * (x - mean).std(axes: [-1], keepDims: true, correction: 1) + mean
        case .none, .expectedAverageOnlyIn: return y
        }
    }
}
