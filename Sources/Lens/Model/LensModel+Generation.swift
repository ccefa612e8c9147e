/// Generation that runs hooks: TransformerLens's `generate` inside `with model.hooks(...)` or with hooks added
/// by `add_hook`.
extension HookedTransformer {
    /// `generate(_:options:)` with `hooks` running in every step (validated before anything runs). With the
    /// key/value cache (the default) a step's activations cover only its new positions: the whole prompt in
    /// the first step, then one position per step, as in TransformerLens. With `useKVCache: false` every step
    /// sees the whole sequence.
    public func generate(_ prompts: [[Int]], options: GenerationOptions = GenerationOptions(),
                         hooks: [(HookTarget, HookFunction)]) throws -> [[Int]] {
        try generate(prompts, steering: [], options: options, bound: bind(hooks))
    }
}

extension LensModel {
    /// Continues each prompt (token ids) with the attached hooks and then `hooks` running in every step (see
    /// `HookedTransformer.generate(_:options:hooks:)`); returns prompt plus continuation per row.
    public func generate(_ prompts: [[Int]], options: GenerationOptions = GenerationOptions(),
                         hooks: [(HookTarget, HookFunction)] = []) throws -> [[Int]] {
        try transformer.generate(prompts, steering: [], options: options, bound: self.hooks(plus: hooks))
    }

    /// Continues a text (tokenized with BOS when `prependBOS`) and returns the prompt and continuation as text,
    /// as `model.generate("text")` does.
    public func generate(_ text: String, options: GenerationOptions = GenerationOptions(),
                         hooks: [(HookTarget, HookFunction)] = [], prependBOS: Bool = true) throws -> String {
        let tokenizer = try requireTokenizer("generate")
        let ids = tokenizer.toTokens(text, prependBOS: prependBOS)
        let out = try generate([ids], options: options, hooks: hooks)[0]
        return tokenizer.toString(prependBOS && !ids.isEmpty && ids.first == tokenizer.bosTokenId ? Array(out.dropFirst()) : out)
    }

    /// Steered generation (`HookedTransformer.generate(_:steering:options:)`) with the attached hooks and
    /// `hooks` running before the steering vectors in every step.
    public func generate(_ prompts: [[Int]], steering: [SteeringVector], options: GenerationOptions = GenerationOptions(),
                         hooks: [(HookTarget, HookFunction)] = []) throws -> [[Int]] {
        try transformer.generate(prompts, steering: steering, options: options, bound: self.hooks(plus: hooks))
    }
}
