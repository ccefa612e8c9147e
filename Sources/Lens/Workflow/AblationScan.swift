/// A model component to knock out in an ablation.
public enum AblationTarget: Sendable, Hashable, CustomStringConvertible {
    /// One head's output `blocks.L.attn.hook_z[:, :, head]`, at every position.
    case head(AttentionHead)
    /// A layer's attention output `blocks.L.hook_attn_out`.
    case attention(layer: Int)
    /// A layer's MLP output `blocks.L.hook_mlp_out`.
    case mlp(layer: Int)
    /// The whole activation at a hook point (any name the model has).
    case hook(String)

    /// The region of activations the target covers.
    public var region: ActivationRegion {
        switch self {
        case let .head(h): return .head(layer: h.layer, head: h.head)
        case let .attention(layer): return ActivationRegion(hook: getActName("attn_out", layer: layer))
        case let .mlp(layer): return ActivationRegion(hook: getActName("mlp_out", layer: layer))
        case let .hook(name): return ActivationRegion(hook: name)
        }
    }

    /// `L1H2`, `attn 1`, `mlp 1` or the hook name.
    public var description: String {
        switch self {
        case let .head(h): return h.description
        case let .attention(layer): return "attn \(layer)"
        case let .mlp(layer): return "mlp \(layer)"
        case let .hook(name): return name
        }
    }

    /// Every head, then every layer's attention and MLP output, of a model with `config`.
    public static func everyComponent(of config: ModelConfig) -> [AblationTarget] {
        let heads = (0..<config.nLayers).flatMap { l in (0..<config.nHeads).map { AblationTarget.head(AttentionHead(layer: l, head: $0)) } }
        let layers = (0..<config.nLayers).flatMap { l -> [AblationTarget] in
            config.attnOnly ? [.attention(layer: l)] : [.attention(layer: l), .mlp(layer: l)]
        }
        return heads + layers
    }
}

/// What an ablated region is replaced with.
public enum AblationKind: String, Sendable, CaseIterable, Codable {
    /// Zeros.
    case zero
    /// The mean of the activation over the positions of the prompt (and of any reference prompts).
    case mean
}

/// The metric after knocking out each target on its own.
public struct AblationScan: Sendable, Encodable {
    /// One ablated target.
    public struct Effect: Sendable, Encodable {
        /// The target (`L1H2`, `attn 1`, …).
        public let target: String
        /// The metric with the target ablated.
        public let metric: Float
        /// `metric − baseline`: negative when the target helped the answer.
        public let change: Float
    }

    /// The metric of the unablated run.
    public let baseline: Float
    /// One entry per target, in the order given.
    public let effects: [Effect]

    /// The `count` targets whose ablation changes the metric most (by magnitude), largest first.
    public func largest(_ count: Int) -> [Effect] {
        Array(effects.enumerated().sorted {
            Swift.abs($0.element.change) != Swift.abs($1.element.change)
                ? Swift.abs($0.element.change) > Swift.abs($1.element.change) : $0.offset < $1.offset
        }.prefix(count).map(\.element))
    }
}

extension LensModel {
    /// Ablates each target of `targets` on its own in the run on `prompt` and scores it with the prompt's
    /// metric. `.mean` replaces the region with its mean over the positions of the prompt and of `references`
    /// (token rows, e.g. other prompts); attention patterns can only be zero-ablated. Unknown hooks, layers or
    /// heads throw before anything runs.
    public func ablationScan(_ prompt: TokenizedPrompt, targets: [AblationTarget], kind: AblationKind = .zero,
                             references: [[Int]] = [], showProgress: Bool = true) throws -> AblationScan {
        let config = transformer.config
        for target in targets {
            switch target {
            case let .head(h): try h.validate(in: config)
            case let .attention(layer), let .mlp(layer):
                guard (0..<config.nLayers).contains(layer) else { throw WorkflowError.unknownLayer(layer, layers: config.nLayers) }
            case .hook: break
            }
            try transformer.hookRegistry.validate(target.region.hook)
        }
        let metric = try prompt.metric
        let tokens = prompt.tokenTensor
        let baseline = try metric(transformer.forward(tokens: tokens))
        let means = kind == .mean ? try positionMeans(Set(targets.map(\.region.hook)), rows: [prompt.tokens] + references) : [:]
        let progress = ProgressBar("ablating", total: targets.count, enabled: showProgress)
        defer { progress.finish() }
        var effects: [AblationScan.Effect] = []
        for target in targets {
            let method: AblationMethod = kind == .zero ? .zero : .meanOf(means[target.region.hook]!)
            let value = try metric(transformer.runWithAblations(tokens, [Ablation(target.region, method: method)]))
            effects.append(.init(target: target.description, metric: value, change: value - baseline))
            progress.advance(by: 1)
        }
        return AblationScan(baseline: baseline, effects: effects)
    }

    /// For each hook, the mean of its activation over every position of every row, `[1, 1, ...]`.
    private func positionMeans(_ hooks: Set<String>, rows: [[Int]]) throws -> [String: Tensor] {
        for hook in hooks where ActivationRegion(hook: hook).isPattern {
            throw LensError.invalidArgument("\(hook) is an attention pattern: only zero ablation is supported there")
        }
        let rows = rows.filter { !$0.isEmpty }
        var sums: [String: Tensor] = [:]
        for row in rows {
            let (_, cache) = try transformer.runWithCache(Tensor(ints: row, shape: [1, row.count]), names: .names(hooks.sorted()))
            for hook in hooks {
                let mean = try cache[hook].mean(axis: 1, keepDims: true)
                sums[hook] = sums[hook].map { $0 + mean } ?? mean
            }
        }
        return sums.mapValues { $0 / Float(rows.count) }
    }
}
