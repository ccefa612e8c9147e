import Foundation

/// The SAE architectures SAELens can save and SwiftLens can run.
public enum SAEArchitecture: String, Sendable, CaseIterable {
    /// `relu(x W_enc + b_enc)`.
    case standard
    /// `relu(h) · 1[h > threshold]`, `h = x W_enc + b_enc`.
    case jumprelu
    /// The `k` largest of `h` (after ReLU), the rest 0.
    case topk
    /// `1[x W_enc + b_gate > 0] · relu(x (W_enc · exp(r_mag)) + b_mag)`.
    case gated
    /// A standard encoder reading one hook and a decoder writing another (`d_out` wide).
    case transcoder
    /// A transcoder plus a linear skip path `x W_skipᵀ`.
    case skipTranscoder = "skip_transcoder"

    /// Whether input and output hooks differ (no `b_dec` subtraction on the input).
    public var isTranscoder: Bool { self == .transcoder || self == .skipTranscoder }
}

/// How SAELens normalises activations on the way in (and undoes it on the way out).
public enum SAENormalization: String, Sendable, CaseIterable {
    /// None.
    case none
    /// A fixed scale that SAELens folds into the weights when it knows it; read from disk it is the identity.
    case expectedAverageOnlyIn = "expected_average_only_in"
    /// `x · √d_in / ‖x‖` in, divided back out.
    case constantNormRescale = "constant_norm_rescale"
    /// `(x − μ) / (σ + 1e-5)` in (σ the unbiased std over the features), `· σ + μ` out.
    case layerNorm = "layer_norm"
}

/// An SAELens `cfg.json`: the 6.x layout (hook names under `metadata`, `architecture` at the top) or the
/// older flat layout (`hook_point` / `hook_name`, `activation_fn_str` / `activation_fn` with
/// `activation_fn_kwargs.k` for top-k, `normalize_activations` as a bool), read as SAELens 6.54 does.
public struct SAEConfig: Sendable, Equatable {
    /// The architecture.
    public var architecture: SAEArchitecture
    /// Input width.
    public var dIn: Int
    /// Number of features.
    public var dSAE: Int
    /// Output width (`d_in` except for transcoders).
    public var dOut: Int
    /// Subtract `b_dec` from the input before encoding.
    public var applyBDecToInput: Bool
    /// Activation normalisation.
    public var normalizeActivations: SAENormalization
    /// Input is `hook_z` `[..., n_heads, d_head]`, flattened to `d_in` (and reshaped back on output).
    public var reshapeHookZ: Bool
    /// Active features of a top-k SAE.
    public var k: Int?
    /// Top-k selection on `h · ‖W_dec row‖` (and decoding with rows normalised).
    public var rescaleActsByDecoderNorm: Bool
    /// The hook the SAE reads (TransformerLens name), if recorded.
    public var hookName: String?
    /// The hook a transcoder writes, if recorded.
    public var hookNameOut: String?
    /// The model the SAE was trained on, if recorded.
    public var modelName: String?

    /// The largest accepted `d_in`, `d_sae` or `d_out` (2^31 - 1); their products are checked against the
    /// memory budget when the weights are loaded.
    public static let maximumWidth = Int(Int32.max)

    /// Parses `cfg.json` content; `file` names it in errors. Widths must be in `1...maximumWidth` and a top-k
    /// `k` in `1...d_sae`.
    public init(json data: Data, file: String) throws {
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(Array(data)) } catch {
            throw SAEError.unreadable(file: file, reason: "is not valid JSON (\(error))")
        }
        guard case .object = parsed else { throw SAEError.unreadable(file: file, reason: "is not a JSON object") }
        let metadata = parsed["metadata"] ?? .object([])
        func value(_ key: String) -> JSONValue? {
            guard let v = parsed[key] ?? metadata[key], !v.isNull else { return nil }
            return v
        }
        func integer(_ key: String, _ v: JSONValue?) throws -> Int? {
            guard let v else { return nil }
            guard let n = v.integerValue, n > 0, n <= Self.maximumWidth else {
                throw SAEError.invalidField(key, file: file, reason: "must be an integer in 1...\(Self.maximumWidth), got \(v.serialized)")
            }
            return n
        }
        func integer(_ key: String) throws -> Int? { try integer(key, value(key)) }
        func flag(_ key: String, default fallback: Bool) throws -> Bool {
            guard let v = value(key) else { return fallback }
            guard case .bool(let b) = v else { throw SAEError.invalidField(key, file: file, reason: "must be true or false, got \(v.serialized)") }
            return b
        }
        func text(_ key: String) throws -> String? {
            guard let v = value(key) else { return nil }
            guard case .string(let s) = v else { throw SAEError.invalidField(key, file: file, reason: "must be a string, got \(v.serialized)") }
            return s
        }
        guard let dIn = try integer("d_in") else { throw SAEError.invalidField("d_in", file: file, reason: "is missing") }
        guard let dSAE = try integer("d_sae") else { throw SAEError.invalidField("d_sae", file: file, reason: "is missing") }
        self.dIn = dIn
        self.dSAE = dSAE
        let activation = try text("activation_fn_str") ?? text("activation_fn")
        let activationK = try integer("activation_fn_kwargs.k", value("activation_fn_kwargs")?["k"])
        var architectureName = try text("architecture") ?? "standard"
        if activation == "topk", activationK != nil { architectureName = "topk" }
        guard let architecture = SAEArchitecture(rawValue: architectureName) else {
            throw SAEError.unsupported("architecture", value: architectureName, file: file)
        }
        self.architecture = architecture
        dOut = architecture.isTranscoder ? try integer("d_out") ?? dIn : dIn
        applyBDecToInput = try flag("apply_b_dec_to_input", default: true)
        if architecture.isTranscoder, applyBDecToInput {
            throw SAEError.invalidField("apply_b_dec_to_input", file: file, reason: "must be false for a transcoder")
        }
        switch value("normalize_activations") {
        case nil: normalizeActivations = .none
        case .bool(let b)?: normalizeActivations = b ? .expectedAverageOnlyIn : .none
        case .string(let s)?:
            guard let n = SAENormalization(rawValue: s) else { throw SAEError.unsupported("normalize_activations", value: s, file: file) }
            normalizeActivations = n
        case let other?:
            throw SAEError.invalidField("normalize_activations", file: file, reason: "must be a string, got \(other.serialized)")
        }
        hookName = try text("hook_name") ?? text("hook_point")
        hookNameOut = try text("hook_name_out")
        modelName = try text("model_name")
        let reshape = try text("reshape_activations") ?? (hookName?.contains("hook_z") == true ? "hook_z" : "none")
        guard ["none", "hook_z"].contains(reshape) else { throw SAEError.unsupported("reshape_activations", value: reshape, file: file) }
        reshapeHookZ = reshape == "hook_z"
        k = architecture == .topk ? try integer("k") ?? activationK ?? 100 : nil
        if let k, k > dSAE { throw SAEError.invalidField("k", file: file, reason: "is \(k), more than d_sae \(dSAE)") }
        rescaleActsByDecoderNorm = architecture == .topk ? try flag("rescale_acts_by_decoder_norm", default: false) : false
    }
}
