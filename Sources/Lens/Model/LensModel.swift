import Foundation

/// A transformer with its tokenizer and its attached hooks: what TransformerLens's `HookedTransformer`
/// object is to a user (`model(tokens)`, `run_with_cache`, `run_with_hooks`, `add_hook`, `reset_hooks`,
/// `hooks(...)`, `to_tokens`, `W_U`, …).
///
/// Hooks added with `addHook` stay attached to this value (and its copies) for every later run until
/// `resetHooks()`; `addPermaHook` hooks survive `resetHooks()` too. Every property of the transformer
/// (`config`, `W_U`, `W_Q`, `QK`, `hookRegistry`, …) reads through: `model.W_U`, `model.config.nLayers`.
///
/// ```swift
/// let model = try LensModel(pretrained: folder)
/// let tokens = try model.toTokens("The Eiffel Tower is located in")
/// let (logits, cache) = try model.runWithCache(tokens)
/// let paris = model.W_U[.all, try model.toSingleToken(" Paris")]
/// let mlpPush = try cache["mlp_out", 8][0, -1].matmul(paris).item()
/// let patched = try model.runWithHooks(tokens, hooks: [("blocks.8.hook_resid_post", { act, _ in
///     var a = act
///     a[.all, -1, .all] = other[.all, -1, .all]
///     return a
/// })])
/// ```
@dynamicMemberLookup
public struct LensModel {
    /// The model.
    public var transformer: HookedTransformer
    /// Its tokenizer, if loaded (needed for text input and string tokens).
    public let tokenizer: Tokenizer?
    private var attached: [(hook: BoundHook, permanent: Bool)] = []

    /// `transformer` with an optional `tokenizer` and no hooks.
    public init(_ transformer: HookedTransformer, tokenizer: Tokenizer? = nil) {
        self.transformer = transformer
        self.tokenizer = tokenizer
    }

    /// Loads a Hugging Face or TransformerLens folder (see `HookedTransformer(pretrained:processing:precision:)`)
    /// and its `tokenizer.json` when the folder has one.
    public init(pretrained folder: URL, processing: WeightProcessing = .default,
                precision: WeightPrecision = .automatic) throws {
        let tokenizerPath = try FolderContainment(folder: folder.path).path(of: "tokenizer.json", what: "the model folder")
        let tokenizer = FileManager.default.fileExists(atPath: tokenizerPath)
            ? try Tokenizer(contentsOf: URL(fileURLWithPath: tokenizerPath)) : nil
        self.init(try HookedTransformer(pretrained: folder, processing: processing, precision: precision),
                  tokenizer: tokenizer)
    }

    /// Any property of the transformer.
    public subscript<T>(dynamicMember keyPath: KeyPath<HookedTransformer, T>) -> T { transformer[keyPath: keyPath] }

    /// Learned positions `[n_ctx, d_model]`; throws for rotary models.
    public var W_pos: Tensor { get throws { try transformer.W_pos } }
    /// MLP input weights `[n_layers, d_model, d_mlp]`; throws for attention-only models.
    public var W_in: Tensor { get throws { try transformer.W_in } }
    /// MLP output weights `[n_layers, d_mlp, d_model]`; throws for attention-only models.
    public var W_out: Tensor { get throws { try transformer.W_out } }
    /// MLP input biases `[n_layers, d_mlp]`; throws for attention-only models.
    public var b_in: Tensor { get throws { try transformer.b_in } }
    /// MLP output biases `[n_layers, d_model]`; throws for attention-only models.
    public var b_out: Tensor { get throws { try transformer.b_out } }

    // MARK: Hooks

    /// Attaches `function` to `target` for every later run (`add_hook`); a permanent hook survives
    /// `resetHooks()`. A named target is validated now (unknown or disabled names throw). A `.backward` hook
    /// receives the gradient at the hook point in the backward passes of gradient runs (`dir="bwd"`).
    public mutating func addHook(_ target: HookTarget, dir: HookDirection = .forward, isPermanent: Bool = false,
                                 _ function: @escaping HookFunction) throws {
        for name in try transformer.hookRegistry.resolve(target) {
            attached.append((BoundHook(name: name, function: function, direction: dir), isPermanent))
        }
    }

    /// `addHook(target, isPermanent: true, function)` (`add_perma_hook`).
    public mutating func addPermaHook(_ target: HookTarget, _ function: @escaping HookFunction) throws {
        try addHook(target, isPermanent: true, function)
    }

    /// Removes the attached hooks, the permanent ones too with `includingPermanent` (`reset_hooks`).
    public mutating func resetHooks(includingPermanent: Bool = false) {
        attached.removeAll { includingPermanent || !$0.permanent }
    }

    /// Names of the hook points that currently have attached hooks, in attachment order (repeats kept).
    public var attachedHookNames: [String] { attached.map(\.hook.name) }

    /// Runs `body` on a copy of this model with `hooks` attached as well (TransformerLens's `with
    /// model.hooks(fwd_hooks=...)`); the hooks end with the closure.
    public func withHooks<R>(_ hooks: [(HookTarget, HookFunction)], _ body: (LensModel) throws -> R) throws -> R {
        var scoped = self
        for (target, function) in hooks { try scoped.addHook(target, function) }
        return try body(scoped)
    }

    /// The attached hooks followed by `extra`, every name checked against the current flags.
    func hooks(plus extra: [(HookTarget, HookFunction)]) throws -> [BoundHook] {
        let registry = transformer.hookRegistry
        for (hook, _) in attached { try registry.validate(hook.name) }
        return attached.map(\.hook) + (try transformer.bind(extra))
    }

    // MARK: Running

    /// Logits `[batch, pos, d_vocab_out]` for token ids, with the attached hooks (`model(tokens)`).
    public func callAsFunction(_ tokens: Tensor, attentionMask: Tensor? = nil) throws -> Tensor {
        try runWithHooks(tokens, hooks: [], attentionMask: attentionMask)
    }

    /// Logits `[1, pos, d_vocab_out]` for a text (tokenized with BOS, like `model(text)`).
    public func callAsFunction(_ text: String) throws -> Tensor {
        try self(toTokens(text))
    }

    /// `HookedTransformer.runWithHooks` with the attached hooks running before `hooks`.
    public func runWithHooks(_ tokens: Tensor, hooks: [(HookTarget, HookFunction)], attentionMask: Tensor? = nil,
                             stopAtLayer: Int? = nil) throws -> Tensor {
        try transformer.run(tokens, bound: self.hooks(plus: hooks), recorder: nil, attentionMask: attentionMask,
                            stopAtLayer: stopAtLayer)
    }

    /// `runWithHooks` on a text tokenized with BOS.
    public func runWithHooks(_ text: String, hooks: [(HookTarget, HookFunction)]) throws -> Tensor {
        try runWithHooks(toTokens(text), hooks: hooks)
    }

    /// `HookedTransformer.runWithCache` with the attached hooks running before `hooks`; the cache knows
    /// the tokenizer (for string tokens in `logitAttrs`).
    public func runWithCache(_ tokens: Tensor, names: HookNames = .all, posSlice: AxisSlice = .all,
                             stopAtLayer: Int? = nil, removeBatchDim: Bool = false, attentionMask: Tensor? = nil,
                             hooks: [(HookTarget, HookFunction)] = []) throws -> (Tensor, ActivationCache) {
        try transformer.runWithCache(tokens, names: names, posSlice: posSlice, stopAtLayer: stopAtLayer,
                                     removeBatchDim: removeBatchDim, attentionMask: attentionMask,
                                     bound: self.hooks(plus: hooks), tokenizer: tokenizer)
    }

    /// `runWithCache` on a text tokenized with BOS.
    public func runWithCache(_ text: String, names: HookNames = .all, posSlice: AxisSlice = .all,
                             removeBatchDim: Bool = false) throws -> (Tensor, ActivationCache) {
        try runWithCache(toTokens(text), names: names, posSlice: posSlice, removeBatchDim: removeBatchDim)
    }

    // MARK: Tokens

    /// The tokenizer, or `LensError.noTokenizer` naming `operation`.
    func requireTokenizer(_ operation: String) throws -> Tokenizer {
        guard let tokenizer else { throw LensError.noTokenizer(operation) }
        return tokenizer
    }

    /// Token ids `[1, pos]` of a text (`to_tokens`).
    public func toTokens(_ text: String, prependBOS: Bool = true) throws -> Tensor {
        let ids = try requireTokenizer("toTokens").toTokens(text, prependBOS: prependBOS)
        return Tensor(ints: ids, shape: [1, ids.count])
    }

    /// Each token of a text as a string (`to_str_tokens`).
    public func toStrTokens(_ text: String, prependBOS: Bool = true) throws -> [String] {
        try requireTokenizer("toStrTokens").toStrTokens(text, prependBOS: prependBOS)
    }

    /// Each id as a string.
    public func toStrTokens(_ ids: [Int]) throws -> [String] {
        try requireTokenizer("toStrTokens").toStrTokens(ids)
    }

    /// The id of a single-token string (`to_single_token`).
    public func toSingleToken(_ text: String) throws -> Int {
        try requireTokenizer("toSingleToken").toSingleToken(text)
    }

    /// The text of ids (`to_string`).
    public func toString(_ ids: [Int]) throws -> String {
        try requireTokenizer("toString").toString(ids)
    }

    /// Residual directions of tokens (`tokens_to_residual_directions`), strings through the tokenizer.
    public func tokensToResidualDirections(_ tokens: TokenInput) throws -> Tensor {
        try transformer.tokensToResidualDirections(tokens.resolved(tokenizer))
    }
}
