/// What a block's backward needs besides its recorded activations.
struct BackwardContext {
    /// The gradient hooks.
    let hooks: GradientRunner
    /// `cos`/`sin` tables `[batch, length, 1, rotaryDim/2]` of the forward pass (rotary models only).
    let rotaryAngles: (cos: Tensor, sin: Tensor)?
    /// The model's configuration (optional-hook flags).
    let config: ModelConfig
}

/// A forward pass that kept what one backward pass needs (see `BackwardTape` for the bytes it holds). Made by
/// `HookedTransformer.forwardForBackward`, used up by `HookedTransformer.backward`.
public final class BackwardPass {
    /// The logits of the pass: `[batch, pos, d_vocab_out]`, or `[batch, 1, d_vocab_out]` for the last position only.
    public let logits: Tensor
    /// Whether the final norm and unembedding ran on the last position only.
    public let lastPositionOnly: Bool
    let tape: BackwardTape
    let layout: SequenceLayout
    private(set) var used = false

    init(logits: Tensor, lastPositionOnly: Bool, tape: BackwardTape, layout: SequenceLayout) {
        (self.logits, self.lastPositionOnly, self.tape, self.layout) = (logits, lastPositionOnly, tape, layout)
    }

    /// Bytes of activations held for the backward pass (the logits not included).
    public var recordedBytes: Int { tape.byteCount }

    /// Marks the pass used; throws if it already was.
    func consume() throws {
        guard !used else { throw BackwardError.invalidInput("a BackwardPass can run one backward pass only") }
        used = true
    }
}

extension HookedTransformer {
    /// The forward pass of `forward(tokens:attentionMask:hooks:)`, keeping the activations its backward reads
    /// (weights are fixed: no weight gradients). `hooks` run as in any forward pass; the backward treats each of
    /// them as the identity (the gradient at a hook point is the gradient with respect to the value the hook
    /// returned). With `lastPositionOnly` the final norm and unembedding run on the last position only (logits
    /// `[batch, 1, d_vocab_out]`), for metrics that read only that position.
    public func forwardForBackward(tokens: Tensor, attentionMask: Tensor? = nil, hooks: (any ActivationHooks)? = nil,
                                   lastPositionOnly: Bool = false) throws -> BackwardPass {
        let (ids, batch, length) = try Self.tokenRows(tokens)
        let mask = try attentionMask.map { try Self.maskRows($0, batch: batch, length: length) }
        let tape = BackwardTape(wanted: backwardTapeNames(), user: hooks)
        let logits = try run(tokens: ids, batch: batch, length: length, mask: mask, cache: nil, stopAtLayer: nil,
                             hooks: tape, lastPositionOnly: lastPositionOnly)
        let layout = SequenceLayout(batch: batch, length: length, past: 0, keyMask: mask)
        return BackwardPass(logits: logits, lastPositionOnly: lastPositionOnly, tape: tape, layout: layout)
    }

    /// The backward pass of `pass` for a scalar metric whose gradient with respect to the logits is
    /// `logitsGradient` (the shape of `pass.logits`). Visits the gradient at every hook point, from
    /// `unembed.hook_out` back to `hook_embed`, through `hooks` (which may replace it); throws
    /// `BackwardError.nonFiniteGradient` at the first hook point whose gradient is not finite. Returns the gradient
    /// at `hook_embed` `[batch, pos, d_model]`.
    ///
    /// With a last-position pass the final hooks' gradients are shown zero-padded to every position (their
    /// TransformerLens shapes), and only their last position flows back.
    @discardableResult
    public func backward(_ pass: BackwardPass, logitsGradient: Tensor, hooks: (any GradientHooks)? = nil) throws -> Tensor {
        guard logitsGradient.shape == pass.logits.shape else {
            throw BackwardError.invalidInput("logits gradient of shape \(logitsGradient.shape) for logits \(pass.logits.shape)")
        }
        try pass.consume()
        let runner = GradientRunner(hooks: hooks)
        let layout = pass.layout, tape = pass.tape
        var g = logitsGradient.converted(to: .float32)
        if let cap = config.outputLogitsSoftCap {
            // logits = cap · tanh(u / cap): ∂/∂u = 1 − (logits / cap)²
            let t = pass.logits / cap
            g = g * (1 - t * t)
        }
        let final = FinalHooks(runner: runner, positions: layout.length, padded: pass.lastPositionOnly)
        g = try final("unembed.hook_out", g)
        g = try final("unembed.hook_in", linearBackward(g, unembed.W_U))
        if let lnFinal { g = try lnFinal.backward(g, tape: tape, hooks: GradientRunner(hooks: final)) }
        if pass.lastPositionOnly {
            var full = Tensor(zeros: [layout.batch, layout.length, config.dModel])
            full[.all, (layout.length - 1)...] = g
            g = full
        }
        let context = BackwardContext(hooks: runner, rotaryAngles: rotaryAngles(layout), config: config)
        for block in blocks.reversed() { g = try block.backward(g, tape: tape, context: context) }
        if posEmbed != nil { _ = try runner("hook_pos_embed", g) }
        return try runner("hook_embed", g)
    }
}

/// The gradient hooks of the final norm and unembedding: for a last-position pass each gradient `[batch, 1, …]`
/// is shown to the hooks zero-padded to `[batch, positions, …]` and its last position is taken back.
private struct FinalHooks: GradientHooks {
    let runner: GradientRunner
    let positions: Int
    let padded: Bool

    func isActive(_ name: String) -> Bool { runner.isActive(name) }

    func visit(_ name: String, _ gradient: Tensor) throws -> Tensor {
        try callAsFunction(name, gradient)
    }

    func callAsFunction(_ name: String, _ gradient: Tensor) throws -> Tensor {
        guard padded, runner.isActive(name), gradient.rank >= 2 else { return try runner(name, gradient) }
        var full = Tensor(zeros: [gradient.shape[0], positions] + gradient.shape.dropFirst(2))
        full[.all, (positions - 1)...] = gradient
        let hooked = try runner(name, full)
        return hooked[.all, (positions - 1)...].contiguous()
    }
}
