/// Rotary settings read from a Hugging Face config, in either format: transformers 5
/// `rope_parameters {rope_theta, rope_type, partial_rotary_factor, ...}` or the older top-level
/// `rope_theta` / `rotary_emb_base`, `rotary_pct` / `partial_rotary_factor` and `rope_scaling`.
struct HuggingFaceRope {
    /// Rotary base θ.
    let theta: Double
    /// Fraction of each head's features that rotate.
    let partialFactor: Double
    /// Frequency rescaling, if any.
    let scaling: RopeScaling?

    init(_ json: JSONFields, maxPositions: Int?) throws {
        let parameters = try json.optionalObject("rope_parameters")
        theta = try parameters?.optionalDouble("rope_theta") ?? json.optionalDouble("rope_theta")
            ?? json.optionalDouble("rotary_emb_base") ?? 10000
        partialFactor = try parameters?.optionalDouble("partial_rotary_factor")
            ?? json.optionalDouble("partial_rotary_factor") ?? json.optionalDouble("rotary_pct") ?? 1
        guard theta > 0 else {
            throw ModelConfigError.invalidField("rope_theta", file: json.file, reason: "must be positive")
        }
        guard partialFactor > 0, partialFactor <= 1 else {
            throw ModelConfigError.invalidField("partial_rotary_factor", file: json.file, reason: "must be in (0, 1]")
        }
        let source = try json.optionalObject("rope_scaling") ?? parameters
        scaling = try source.flatMap { try Self.scaling($0, maxPositions: maxPositions) }
    }

    /// The rescaling a `rope_scaling` / `rope_parameters` object asks for (nil for `default`).
    private static func scaling(_ s: JSONFields, maxPositions: Int?) throws -> RopeScaling? {
        let type = try s.optionalString("rope_type") ?? s.optionalString("type") ?? "default"
        switch type {
        case "default":
            return nil
        case "linear":
            return .linear(factor: try s.double("factor"))
        case "llama3":
            guard let original = try s.optionalInt("original_max_position_embeddings") ?? maxPositions else {
                throw ModelConfigError.missingField("original_max_position_embeddings", file: s.file)
            }
            return .llama3(factor: try s.double("factor"),
                           lowFrequencyFactor: try s.optionalDouble("low_freq_factor") ?? 1,
                           highFrequencyFactor: try s.optionalDouble("high_freq_factor") ?? 4,
                           originalContextLength: original)
        default:
            throw ModelConfigError.unsupportedSetting("rope_type", file: s.file,
                                                      reason: "\"\(type)\" (supported: default, linear, llama3)")
        }
    }

    /// `round_down(partialFactor * dHead)` as transformers computes the rotated width (`dHead` itself when the
    /// product does not fit in `Int`, which the config's validation then refuses).
    func rotaryDim(dHead: Int) -> Int {
        let r = partialFactor * Double(dHead)
        return r < Double(Int.max) ? Int(r) : dHead
    }
}
