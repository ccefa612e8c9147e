/// Generation with steering vectors added at every step.
extension HookedTransformer {
    /// Continues each prompt by up to `options.maxNewTokens` tokens with `steering` active (sampling, end of
    /// sequence, left padding of unequal prompts and the key/value cache as `generate(_:options:)`). With a
    /// cache each step sees only its new positions, and a steering position `p` (a column of the left-padded
    /// batch) is steered in the step that computes it, so cached and uncached generation agree.
    public func generate(_ prompts: [[Int]], steering: [SteeringVector],
                         options: GenerationOptions = GenerationOptions()) throws -> [[Int]] {
        try generate(prompts, steering: steering, options: options, bound: [])
    }

    /// Generation with `bound` hooks running in every step (on each step's new positions), then `steering`.
    func generate(_ prompts: [[Int]], steering: [SteeringVector], options: GenerationOptions,
                  bound: [BoundHook]) throws -> [[Int]] {
        try options.sampling.validate()
        guard !prompts.isEmpty, prompts.allSatisfy({ !$0.isEmpty }), options.maxNewTokens >= 0 else {
            throw LensError.invalidArgument("generate needs non-empty prompts and maxNewTokens ≥ 0")
        }
        for vector in steering { try hookRegistry.validate(vector.hook) }
        if steering.isEmpty, bound.isEmpty { return try generate(prompts, options: options) }
        return try generate(prompts, options: options) { offset in
            AttachedHooks(bound, copies: 1, then: steering.isEmpty ? nil : SteeringHooks(vectors: steering, offset: offset))
        }
    }
}

/// The steering vectors of one generation step, whose first computed position is column `offset`.
private final class SteeringHooks: ActivationHooks {
    private let table: [String: [SteeringVector]]
    private let offset: Int

    init(vectors: [SteeringVector], offset: Int) {
        var table: [String: [SteeringVector]] = [:]
        for vector in vectors { table[vector.hook, default: []].append(vector) }
        self.table = table
        self.offset = offset
    }

    func isActive(_ name: String) -> Bool { table[name] != nil }

    func visit(_ name: String, _ value: Tensor) throws -> Tensor {
        try table[name, default: []].reduce(value) { try $1.apply($0, offset: offset) }
    }
}
