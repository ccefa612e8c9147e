/// The input of an attention head a path can end in.
public enum HeadInput: String, Sendable, CaseIterable {
    /// The query (`hook_q`, query head index).
    case q
    /// The key (`hook_k`, key/value head index for grouped-query models).
    case k
    /// The value (`hook_v`, key/value head index for grouped-query models).
    case v
}

/// Where the paths of a path-patching experiment end.
public enum PathReceiver: Sendable {
    /// The logits: the senders' direct effect through the residual stream.
    case logits
    /// The listed inputs of these heads (for `k`/`v` the head index counts key/value heads).
    case heads([AttentionHead], inputs: Set<HeadInput>)
}

/// Path patching along direct paths (Wang et al. 2022, "Interpretability in the Wild", and ARENA's
/// implementation):
///
/// 1. Run the clean and the corrupted tokens and cache every head's output `z`.
/// 2. Sender pass, on the clean tokens: the sender heads' `z` take their corrupted values, every other
///    head's `z` is frozen to its clean value; MLPs and norms are recomputed. So the senders' change reaches
///    later layers only through the residual stream (directly or via MLPs), never through another head.
/// 3. Receiver `.logits`: the metric of the sender pass. Receiver heads: their chosen inputs (`hook_q`,
///    `hook_k`, `hook_v` at the head) are recorded in the sender pass, then a final clean pass with just
///    those inputs replaced is scored (everything else in it is computed normally).
///
/// Receivers at or before a sender's layer are unaffected by it. The fast strategy starts the sender
/// pass at the senders' first layer and the final pass at the first receiver's layer from the clean
/// residual, and stacks several sender sets along the batch axis.
extension HookedTransformer {
    /// The path-patching effect of every single head as the sender: `[n_layers, n_heads]`.
    public func pathPatch(clean: Tensor, corrupted: Tensor, receiver: PathReceiver, metric: PatchingMetric,
                          options: PatchingOptions = PatchingOptions()) throws -> Tensor {
        let heads = (0..<config.nLayers).flatMap { l in (0..<config.nHeads).map { [AttentionHead(layer: l, head: $0)] } }
        let values = try pathPatch(senderSets: heads, clean: clean, corrupted: corrupted, receiver: receiver,
                                   metric: metric, options: options)
        return Tensor(values, shape: [config.nLayers, config.nHeads])
    }

    /// The path-patching effect of each set of sender heads (patched together), one metric per set.
    public func pathPatch(senderSets: [[AttentionHead]], clean: Tensor, corrupted: Tensor, receiver: PathReceiver,
                          metric: PatchingMetric, options: PatchingOptions = PatchingOptions()) throws -> [Float] {
        let cleanRows = clean.rank == 1 ? clean.unsqueezed(0) : clean
        let corruptedRows = corrupted.rank == 1 ? corrupted.unsqueezed(0) : corrupted
        guard cleanRows.rank == 2, cleanRows.shape == corruptedRows.shape else {
            throw LensError.invalidArgument("clean tokens \(clean.shape) and corrupted tokens \(corrupted.shape) must be the same [batch, pos]")
        }
        for set in senderSets {
            guard !set.isEmpty else { throw LensError.invalidArgument("a sender set is empty") }
            for head in set where !(0..<config.nLayers).contains(head.layer) || !(0..<config.nHeads).contains(head.head) {
                throw LensError.invalidArgument("sender \(head) is outside a model of \(config.nLayers) layers × \(config.nHeads) heads")
            }
        }
        let targets = try receiverTargets(receiver)
        let runner = try PathPatchRunner(model: self, clean: cleanRows, corrupted: corruptedRows, receivers: targets,
                                         metric: metric, options: options)
        let progress = ProgressBar("path patching", total: senderSets.count, enabled: options.showProgress)
        defer { progress.finish() }
        return try runner.run(senderSets, progress: progress)
    }

    /// Hook names and head indices of the receivers (checked against the model).
    private func receiverTargets(_ receiver: PathReceiver) throws -> [PathTarget] {
        guard case let .heads(heads, inputs) = receiver else { return [] }
        guard !heads.isEmpty, !inputs.isEmpty else { throw LensError.invalidArgument("path receivers need heads and inputs") }
        var targets: [PathTarget] = []
        for head in heads {
            for input in HeadInput.allCases where inputs.contains(input) {
                let count = input == .q ? config.nHeads : config.keyValueHeads
                guard (0..<config.nLayers).contains(head.layer), (0..<count).contains(head.head) else {
                    throw LensError.invalidArgument("receiver \(head) \(input.rawValue) is outside the model (\(count) \(input.rawValue) heads)")
                }
                targets.append(PathTarget(layer: head.layer, hook: getActName(input.rawValue, layer: head.layer), head: head.head))
            }
        }
        return targets
    }
}

/// One receiver input: a head slice of a `hook_q` / `hook_k` / `hook_v` activation.
struct PathTarget: Hashable {
    let layer: Int
    let hook: String
    let head: Int
}
