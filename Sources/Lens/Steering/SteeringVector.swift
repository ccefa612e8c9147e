/// A direction added to one hook point's activation during a forward pass: `x[:, p] += scale · direction`
/// at the chosen positions (all by default). The direction is broadcast over the axes after the position
/// axis (`[d_model]` for residual hooks, `[d_head]` or `[n_heads, d_head]` for head vectors; a flat
/// `[n_heads · d_head]` direction is reshaped to `[n_heads, d_head]`).
public struct SteeringVector {
    /// The full hook name, e.g. `blocks.6.hook_resid_pre`.
    public var hook: String
    /// The direction added.
    public var direction: Tensor
    /// Its multiplier.
    public var scale: Float
    /// Sequence positions to steer (0-based, counted from the first column of the batch); nil steers all.
    public var positions: [Int]?

    /// `scale · direction` added at `hook`, at `positions` or everywhere.
    public init(hook: String, direction: Tensor, scale: Float = 1, positions: [Int]? = nil) {
        (self.hook, self.direction, self.scale, self.positions) = (hook, direction, scale, positions)
    }

    /// Adds the vector to `activation`, whose first position is sequence position `offset` (a generation
    /// step with a key/value cache sees only its new positions).
    func apply(_ activation: Tensor, offset: Int) throws -> Tensor {
        let axis = ActivationRegion(hook: hook).positionAxis
        guard activation.rank > axis else {
            throw LensError.invalidArgument("\(hook) (shape \(activation.shape)) has no position axis to steer")
        }
        let trailing = Array(activation.shape[(axis + 1)...])
        let added: Tensor
        // A flat direction for a [n_heads, d_head] activation (an SAE on hook_z) takes the trailing shape.
        let shaped = direction.count == trailing.reduce(1, *) && direction.rank == 1 && trailing.count > 1
            ? direction.reshaped(trailing) : direction
        do { added = try (shaped * scale).broadcast(to: trailing) } catch {
            throw LensError.invalidArgument("steering direction \(direction.shape) does not fit \(hook)'s \(activation.shape)")
        }
        guard let positions else { return activation + added }
        if let bad = positions.first(where: { $0 < 0 }) {
            throw LensError.invalidArgument("steering position \(bad) is negative (positions count from 0)")
        }
        var steered = activation
        let lead = [TensorIndex](repeating: .all, count: axis)
        for p in positions where (offset..<(offset + activation.shape[axis])).contains(p) {
            let index = lead + [.at(p - offset)]
            steered.assign(try steered.indexed(index) + added, to: index)
        }
        return steered
    }
}

extension HookedTransformer {
    /// Logits `[batch, pos, d_vocab_out]` with every steering vector added at its hook (in list order),
    /// then `hooks`.
    public func runWithSteering(_ tokens: Tensor, _ steering: [SteeringVector],
                                hooks: [(HookTarget, HookFunction)] = []) throws -> Tensor {
        try runWithHooks(tokens, hooks: steeringHooks(steering) + hooks)
    }

    /// Hook pairs adding `steering` in a pass over whole sequences (for `runWithHooks`, `runWithCache`,
    /// `LensModel.addHook`). Each hook name is checked first.
    public func steeringHooks(_ steering: [SteeringVector]) throws -> [(HookTarget, HookFunction)] {
        try steering.map { vector in
            try hookRegistry.validate(vector.hook)
            return (.name(vector.hook), { activation, _ in try vector.apply(activation, offset: 0) })
        }
    }
}
