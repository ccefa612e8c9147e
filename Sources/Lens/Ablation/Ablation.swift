/// What an ablated region is replaced with.
public enum AblationMethod {
    /// Zeros.
    case zero
    /// The mean over the batch of this run (`x[:, region].mean(0, keepdim=True)`, the same for every row).
    case mean
    /// The mean over axis 0 of reference activations at the same hook (`[N, ...]`, e.g. a reference
    /// dataset's cache entry), per position. A reference with one position (already a position mean) applies
    /// to every position. A reference of another length may be a padded batch, so it needs its
    /// `attentionMask` (`[N, pos]`, 1 for real tokens): then the mean runs over the real positions of every
    /// row, one vector for every position. With a mask and the run's length, each position averages the rows
    /// that are real there.
    case meanOf(Tensor, attentionMask: Tensor? = nil)
    /// The mean activation of the model on these reference tokens (`[N, pos]`, with the attention mask of a
    /// padded batch), as `meanOf` does it.
    case meanOver(tokens: Tensor, attentionMask: Tensor? = nil)
    /// The values another run had at this hook (same shape as the run's activation, e.g. the corrupted cache).
    case resample(Tensor)
    /// The values another row of this batch had: rows are permuted by a random derangement drawn with
    /// `SeededGenerator(seed)` (a single row keeps its own values).
    case resampleBatch(seed: UInt64)
}

/// Replace a region of one activation during a forward pass: zero, mean or resample ablation.
public struct Ablation {
    /// Which entries are replaced.
    public var region: ActivationRegion
    /// With what.
    public var method: AblationMethod

    /// Ablates `region` with `method`.
    public init(_ region: ActivationRegion, method: AblationMethod = .zero) {
        self.region = region
        self.method = method
    }

    /// The hook function: `x[region] = replacement(x)` on a copy of the activation. `reference` is the
    /// resolved mean source for `.meanOver`.
    func hook(reference: Tensor?) -> HookFunction {
        let region = region, method = method
        return { activation, _ in
            let index = try region.indices(shape: activation.shape)
            let selected = try activation.indexed(index)
            let replacement: Tensor
            switch method {
            case .zero: replacement = Tensor(zeros: [1])
            case .mean: replacement = selected.mean(axis: 0, keepDims: true)
            case let .meanOf(values, mask):
                replacement = try Self.referenceMean(values, mask: mask, region, index, activation.shape)
            case let .meanOver(_, mask):
                replacement = try Self.referenceMean(reference ?? Tensor(zeros: [0]), mask: mask, region, index,
                                                     activation.shape)
            case let .resample(values):
                guard values.shape == activation.shape else {
                    throw LensError.invalidArgument("resample values \(values.shape) do not match \(region.hook)'s \(activation.shape)")
                }
                replacement = try values.indexed(index)
            case let .resampleBatch(seed):
                let order = derangement(activation.shape[0], seed: seed)
                replacement = try activation.indexSelect(order, axis: 0).indexed(index)
            }
            var ablated = activation
            ablated.assign(replacement, to: index)
            return ablated
        }
    }

    /// The mean of reference activations `values` over axis 0 (and over real positions when a `mask` is given
    /// for a reference of another length), restricted to the region.
    private static func referenceMean(_ values: Tensor, mask: Tensor?, _ region: ActivationRegion, _ index: [TensorIndex],
                                      _ shape: [Int]) throws -> Tensor {
        guard values.rank == shape.count, values.shape[0] > 0 else {
            throw LensError.invalidArgument("reference activations \(values.shape) do not fit \(region.hook)'s \(shape)")
        }
        let p = region.positionAxis
        let others = (1..<shape.count).filter { $0 != p }
        guard p < shape.count, others.allSatisfy({ values.shape[$0] == shape[$0] }) else {
            throw LensError.invalidArgument("reference activations \(values.shape) do not fit \(region.hook)'s \(shape)")
        }
        let sameLength = values.shape[p] == shape[p]
        var mean: Tensor
        if let mask {
            guard mask.shape == [values.shape[0], values.shape[p]] else {
                throw LensError.invalidArgument("attention mask \(mask.shape) does not match the reference activations "
                                                + "\(values.shape) ([rows, positions])")
            }
            var weightShape = [Int](repeating: 1, count: values.rank)
            (weightShape[0], weightShape[p]) = (values.shape[0], values.shape[p])
            let weights = (mask.converted(to: .float32) .!= Tensor(scalar: 0)).reshaped(weightShape)
            let axes = sameLength ? [0] : [0, p]
            let counts = weights.sum(axes: axes, keepDims: true)
            guard counts.scalars.allSatisfy({ $0 > 0 }) else {
                throw LensError.invalidArgument("the attention mask of the reference leaves a position with no real token")
            }
            mean = (values * weights).sum(axes: axes, keepDims: true) / counts
        } else if sameLength || values.shape[p] == 1 {
            mean = values.mean(axis: 0, keepDims: true)
        } else {
            throw LensError.invalidArgument("reference activations have \(values.shape[p]) positions and the run "
                + "\(shape[p]): a reference of another length may be padded, so give its attentionMask to average its "
                + "real positions")
        }
        var regionIndex = index
        if mean.shape[p] != shape[p] { regionIndex[p] = index[p] == .all ? .all : .at(0) }
        return try mean.indexed(regionIndex)
    }
}

/// A permutation of `0..<n` with no fixed point (the identity for n = 1), drawn with `SeededGenerator(seed)`.
func derangement(_ n: Int, seed: UInt64) -> [Int] {
    guard n > 1 else { return Array(0..<n) }
    var generator = SeededGenerator(seed: seed)
    while true {
        let order = Array(0..<n).shuffled(using: &generator)
        if !order.enumerated().contains(where: { $0.offset == $0.element }) { return order }
    }
}

extension HookedTransformer {
    /// Logits `[batch, pos, d_vocab_out]` with each ablation applied at its hook (in list order), e.g.
    /// `runWithAblations(tokens, [Ablation(.head(layer: 1, head: 2), method: .mean)])`. Extra `hooks` run
    /// after the ablations at the same points.
    public func runWithAblations(_ tokens: Tensor, _ ablations: [Ablation],
                                 hooks: [(HookTarget, HookFunction)] = []) throws -> Tensor {
        try runWithHooks(tokens, hooks: ablationHooks(ablations) + hooks)
    }

    /// `runWithAblations` for one region: `ablate(tokens, .neuron(layer: 0, neuron: 5), method: .zero)`.
    public func ablate(_ tokens: Tensor, _ region: ActivationRegion, method: AblationMethod = .zero) throws -> Tensor {
        try runWithAblations(tokens, [Ablation(region, method: method)])
    }

    /// The hook pairs that apply `ablations` (for `runWithHooks`, `runWithCache` or `LensModel.addHook`);
    /// `.meanOver(tokens:)` references are computed here, once.
    public func ablationHooks(_ ablations: [Ablation]) throws -> [(HookTarget, HookFunction)] {
        try ablations.map { ablation in
            try hookRegistry.validate(ablation.region.hook)
            var reference: Tensor?
            if case let .meanOver(tokens, _) = ablation.method {
                reference = try runWithCache(tokens, names: .names([ablation.region.hook])).1[ablation.region.hook]
            }
            return (.name(ablation.region.hook), ablation.hook(reference: reference))
        }
    }
}
