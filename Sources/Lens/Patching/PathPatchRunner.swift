/// Runs path-patching experiments for sets of sender heads (see `HookedTransformer.pathPatch`).
struct PathPatchRunner {
    let model: HookedTransformer
    let clean: Tensor
    let receivers: [PathTarget]
    let metric: PatchingMetric
    let options: PatchingOptions
    /// Every layer's `z` on the clean and the corrupted tokens, `[batch, pos, n_heads, d_head]`.
    private let cleanZ: [Tensor], corruptedZ: [Tensor]
    /// The clean residual before each block.
    private let cleanResidual: [Tensor]
    /// The metric of the clean run (the result when no receiver is downstream of the senders).
    private let cleanMetric: Float

    init(model: HookedTransformer, clean: Tensor, corrupted: Tensor, receivers: [PathTarget], metric: PatchingMetric,
         options: PatchingOptions) throws {
        (self.model, self.clean, self.receivers, self.metric, self.options) = (model, clean, receivers, metric, options)
        let layers = 0..<model.config.nLayers
        let zNames = layers.map { getActName("z", layer: $0) }, residNames = layers.map { getActName("resid_pre", layer: $0) }
        let (cleanLogits, cleanCache) = try model.runWithCache(clean, names: .names(zNames + residNames))
        let corruptedCache = try model.runWithCache(corrupted, names: .names(zNames)).1
        cleanZ = try zNames.map { try cleanCache[$0] }
        corruptedZ = try zNames.map { try corruptedCache[$0] }
        cleanResidual = try residNames.map { try cleanCache[$0] }
        cleanMetric = try metric(cleanLogits)
    }

    var batch: Int { clean.shape[0] }

    /// One metric per sender set, in order.
    func run(_ senderSets: [[AttentionHead]], progress: ProgressBar) throws -> [Float] {
        var results = [Float](repeating: 0, count: senderSets.count)
        switch options.strategy {
        case .naive:
            for (i, set) in senderSets.enumerated() {
                results[i] = try naive(set)
                progress.advance(by: 1)
            }
        case .fast:
            var groups: [Int: [Int]] = [:]
            for (i, set) in senderSets.enumerated() { groups[set.map(\.layer).min()!, default: []].append(i) }
            let chunk = variantsPerPass()
            for layer in groups.keys.sorted() {
                let members = groups[layer]!
                for start in stride(from: 0, to: members.count, by: chunk) {
                    let part = Array(members[start..<min(start + chunk, members.count)])
                    let values = try fast(part.map { senderSets[$0] }, startLayer: layer)
                    for (i, value) in zip(part, values) { results[i] = value }
                    progress.advance(by: part.count)
                }
            }
        }
        return results
    }

    /// One sender set with full forward passes from the tokens.
    private func naive(_ senders: [AttentionHead]) throws -> Float {
        let sender = SenderPassHooks(cleanZ: cleanZ, corruptedZ: corruptedZ, sets: [senders], startLayer: 0,
                                     record: Set(receivers.map(\.hook)))
        let logits = try model.forward(tokens: clean, hooks: sender)
        guard !receivers.isEmpty else { return try metric(logits) }
        let final = ReceiverPassHooks(receivers: receivers, recorded: sender.recorded)
        return try metric(model.forward(tokens: clean, hooks: final))
    }

    /// Several sender sets whose first layer is `startLayer`, stacked along the batch axis.
    private func fast(_ sets: [[AttentionHead]], startLayer: Int) throws -> [Float] {
        let copies = sets.count
        let affected = receivers.filter { $0.layer > startLayer }
        if !receivers.isEmpty, affected.isEmpty { return [Float](repeating: cleanMetric, count: copies) }
        let sender = SenderPassHooks(cleanZ: cleanZ, corruptedZ: corruptedZ, sets: sets, startLayer: startLayer,
                                     record: Set(affected.map(\.hook)))
        let senderInput = cleanResidual[startLayer].repeated([copies, 1, 1])
        let logits: Tensor
        if affected.isEmpty {
            logits = try model.logits(fromResidual: senderInput, layer: startLayer, hooks: sender,
                                      lastPosition: metric.positions == .last)
        } else {
            let last = affected.map(\.layer).max()!
            _ = try model.forward(residual: senderInput, startAtLayer: startLayer, stopAtLayer: last + 1, hooks: sender)
            let first = affected.map(\.layer).min()!
            let final = ReceiverPassHooks(receivers: affected, recorded: sender.recorded)
            logits = try model.logits(fromResidual: cleanResidual[first].repeated([copies, 1, 1]), layer: first,
                                      hooks: final, lastPosition: metric.positions == .last)
        }
        return try (0..<copies).map { v in try metric(logits[(v * batch)..<((v + 1) * batch)]) }
    }

    /// Sender sets per stacked pass under `maxBatchBytes` (the same estimate as activation patching).
    private func variantsPerPass() -> Int {
        let c = model.config, p = clean.shape[1]
        let perPosition = 14 * c.dModel + 3 * (c.dMLP ?? 0) + 3 * (c.nHeads + 2 * c.keyValueHeads) * c.dHead
        let floats = p * perPosition + 3 * c.nHeads * p * p + 2 * (metric.positions == .last ? 1 : p) * c.dVocabOut
        return max(1, options.maxBatchBytes / max(1, floats * 4 * batch))
    }
}

/// The sender pass: every head's `z` from layer `startLayer` on is its clean value, except each copy's
/// senders, which take their corrupted values; the receivers' inputs are recorded.
final class SenderPassHooks: ActivationHooks {
    private let cleanZ: [Tensor], corruptedZ: [Tensor]
    private let sets: [[AttentionHead]]
    private let startLayer: Int
    private let record: Set<String>
    private let zLayers: [String: Int]
    /// The receivers' inputs as the pass computed them, by hook name.
    private(set) var recorded: [String: Tensor] = [:]

    init(cleanZ: [Tensor], corruptedZ: [Tensor], sets: [[AttentionHead]], startLayer: Int, record: Set<String>) {
        (self.cleanZ, self.corruptedZ, self.sets, self.startLayer, self.record) = (cleanZ, corruptedZ, sets, startLayer, record)
        var layers: [String: Int] = [:]
        for layer in startLayer..<cleanZ.count { layers[getActName("z", layer: layer)] = layer }
        zLayers = layers
    }

    func isActive(_ name: String) -> Bool { zLayers[name] != nil || record.contains(name) }

    func visit(_ name: String, _ value: Tensor) throws -> Tensor {
        if record.contains(name) { recorded[name] = value }
        guard let layer = zLayers[name] else { return value }
        // z = clean z in every copy, with copy v's senders in this layer set to their corrupted z
        var frozen = cleanZ[layer].repeated([sets.count, 1, 1, 1])
        let batch = cleanZ[layer].shape[0]
        for (v, set) in sets.enumerated() {
            for sender in set where sender.layer == layer {
                let rows = TensorIndex.slice(start: v * batch, end: (v + 1) * batch, step: 1)
                frozen.assign(corruptedZ[layer][.all, .all, sender.head], to: [rows, .all, .at(sender.head)])
            }
        }
        guard frozen.shape == value.shape else {
            throw LensError.invalidArgument("path patching: z of layer \(layer) is \(value.shape), expected \(frozen.shape)")
        }
        return frozen
    }
}

/// The final pass: each receiver's head slice takes the value recorded in the sender pass.
final class ReceiverPassHooks: ActivationHooks {
    private let byHook: [String: [Int]]
    private let recorded: [String: Tensor]

    init(receivers: [PathTarget], recorded: [String: Tensor]) {
        var byHook: [String: [Int]] = [:]
        for target in receivers { byHook[target.hook, default: []].append(target.head) }
        self.byHook = byHook
        self.recorded = recorded
    }

    func isActive(_ name: String) -> Bool { byHook[name] != nil }

    func visit(_ name: String, _ value: Tensor) throws -> Tensor {
        guard let heads = byHook[name], let source = recorded[name], source.shape == value.shape else {
            throw LensError.invalidArgument("path patching: no recorded \(name) of shape \(value.shape)")
        }
        var patched = value
        for head in heads { patched.assign(source[.all, .all, head], to: [.all, .all, .at(head)]) }
        return patched
    }
}
