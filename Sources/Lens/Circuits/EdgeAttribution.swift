/// How edge scores are estimated.
public enum EdgeAttributionMethod: Sendable, Equatable {
    /// EAP: the gradient at the clean run.
    case eap
    /// EAP-IG (the EAP-IG library's `EAP-IG-inputs`): the gradient averaged over `steps` runs whose token
    /// embedding moves from the corrupted to the clean one, `e_k = corrupted + (k / steps)(clean − corrupted)` for
    /// `k = 0 … steps − 1`.
    case eapIG(steps: Int)
}

/// Edge scores on a `CircuitGraph`: `scores[src, dst] = Σ_{b, pos, d} (corrupted − clean)[src] · ∂metric/∂input[dst]`,
/// the first-order estimate of `metric(edge corrupted) − metric(clean)` (EAP-IG's convention), 0 for non-edges.
public struct EdgeScores: Sendable {
    /// The graph.
    public let graph: CircuitGraph
    /// `[sources, destinations]` scores.
    public let scores: Tensor

    /// The score of `src → dst`.
    public func score(_ src: Int, _ dst: Int) -> Float { scores.value(at: [src, dst]) }

    /// Every edge with its score, largest `|score|` first.
    public var ranked: [(edge: CircuitEdge, score: Float)] {
        let values = scores.scalars, n = graph.destinationCount
        var out: [(CircuitEdge, Float)] = []
        for dst in 0..<n {
            for src in 0..<graph.sourcesBefore(destination: dst) { out.append((CircuitEdge(src, dst), values[src * n + dst])) }
        }
        return out.sorted { Swift.abs($0.1) > Swift.abs($1.1) }
    }
}

/// The hook points of the graph's sources and destinations.
extension CircuitGraph {
    /// `hook_embed`, then per layer `attn.hook_result` and `hook_mlp_out`.
    func sourceHooks() -> [String] {
        ["hook_embed"] + (0..<nLayers).flatMap { l in
            ["blocks.\(l).attn.hook_result"] + (hasMLP ? ["blocks.\(l).hook_mlp_out"] : [])
        }
    }

    /// Per layer `hook_q_input`, `hook_k_input`, `hook_v_input`, `hook_mlp_in`, then the last `hook_resid_post`.
    func destinationHooks() -> [String] {
        (0..<nLayers).flatMap { l in
            ["q", "k", "v"].map { "blocks.\(l).hook_\($0)_input" } + (hasMLP ? ["blocks.\(l).hook_mlp_in"] : [])
        } + ["blocks.\(nLayers - 1).hook_resid_post"]
    }

    /// Activations at the given hooks (in `sourceHooks()` or `destinationHooks()` order, `[batch, pos, d]` or
    /// `[batch, pos, heads, d]`) as rows `[nodes, batch·pos·d]` in node index order.
    static func rows(_ activations: [Tensor]) -> Tensor {
        Tensor.concat(activations.map { a -> Tensor in
            let perNode = a.rank == 4 ? a.permuted([2, 0, 1, 3]) : a.unsqueezed(0)
            return perNode.contiguous().reshaped([perNode.shape[0], -1])
        }, axis: 0)
    }
}

extension HookedTransformer {
    /// This model with `hook_result`, split q/k/v inputs and `hook_mlp_in` on: the hook points of the circuit graph.
    /// Throws for models whose attention output goes through a norm before the residual (Gemma 2's `ln1_post`), where
    /// head outputs do not add up in the residual stream.
    public func circuitModel() throws -> HookedTransformer {
        guard !config.useNormalizationBeforeAndAfter else {
            throw LensError.invalidArgument("edge attribution needs head outputs that add into the residual stream; "
                                            + "this model normalises the attention output (ln1_post)")
        }
        var copy = self
        copy.setUseAttnResult(true)
        copy.setUseSplitQKVInput(true)
        if !config.attnOnly { copy.setUseHookMLPIn(true) }
        return copy
    }

    /// EAP or EAP-IG scores of every edge for `metric`, with `clean` and `corrupted` tokens (`[batch, pos]`, same
    /// shape). EAP-IG's steps run stacked along the batch axis, `stepsPerPass` at a time.
    public func edgeAttribution(clean: Tensor, corrupted: Tensor, metric: GradientMetric,
                                method: EdgeAttributionMethod = .eapIG(steps: 5), stepsPerPass: Int = 8) throws -> EdgeScores {
        let model = try circuitModel()
        let graph = CircuitGraph(config: config)
        let cleanRows = clean.rank == 1 ? clean.unsqueezed(0) : clean
        let corruptedRows = corrupted.rank == 1 ? corrupted.unsqueezed(0) : corrupted
        guard cleanRows.rank == 2, cleanRows.shape == corruptedRows.shape else {
            throw LensError.invalidArgument("clean tokens \(clean.shape) and corrupted tokens \(corrupted.shape) must be the same [batch, pos]")
        }
        let sources = graph.sourceHooks(), destinations = graph.destinationHooks()
        let (_, cleanCache) = try model.runWithCache(cleanRows, names: .names(sources))
        let (_, corruptedCache) = try model.runWithCache(corruptedRows, names: .names(sources))
        let delta = CircuitGraph.rows(try sources.map { try corruptedCache[$0] })
            - CircuitGraph.rows(try sources.map { try cleanCache[$0] })
        let gradients: [Tensor]
        switch method {
        case .eap:
            let run = try model.runWithGradients(cleanRows, metric: metric, gradientNames: .names(destinations))
            gradients = try destinations.map { try run.gradients[$0] }
        case let .eapIG(steps):
            guard steps > 0, stepsPerPass > 0 else { throw LensError.invalidArgument("EAP-IG needs steps ≥ 1, got \(steps)") }
            gradients = try model.integratedInputGradients(
                tokens: cleanRows, clean: cleanCache["hook_embed"], corrupted: corruptedCache["hook_embed"],
                metric: metric, names: destinations, steps: steps, stepsPerPass: stepsPerPass)
        }
        var values = delta.matmul(CircuitGraph.rows(gradients).T).scalars
        let n = graph.destinationCount
        for dst in 0..<n {
            for src in graph.sourcesBefore(destination: dst)..<graph.sourceCount { values[src * n + dst] = 0 }
        }
        return EdgeScores(graph: graph, scores: Tensor(values, shape: [graph.sourceCount, n]))
    }

    /// The gradient at `names`, averaged over the runs on `tokens` whose `hook_embed` is
    /// `corrupted + (k / steps)(clean − corrupted)`, `k = 0 … steps − 1`, several steps stacked in one pass.
    func integratedInputGradients(tokens: Tensor, clean: Tensor, corrupted: Tensor, metric: GradientMetric,
                                  names: [String], steps: Int, stepsPerPass: Int) throws -> [Tensor] {
        let batch = tokens.shape[0]
        var sums: [Tensor]?
        for first in stride(from: 0, to: steps, by: stepsPerPass) {
            let ks = Array(first..<min(steps, first + stepsPerPass))
            let embeddings = Tensor.concat(ks.map { corrupted + (clean - corrupted) * (Float($0) / Float(steps)) }, axis: 0)
            let stacked = Tensor.concat(Array(repeating: tokens, count: ks.count), axis: 0)
            let run = try runWithGradients(stacked, metric: metric.stacked(ks.count), gradientNames: .names(names),
                                           hooks: [("hook_embed", { _, _ in embeddings })])
            let chunk = try names.map { name -> Tensor in
                let g = try run.gradients[name]
                return g.reshaped([ks.count, batch] + Array(g.shape.dropFirst())).sum(axis: 0)
            }
            sums = sums.map { zip($0, chunk).map(+) } ?? chunk
        }
        return sums!.map { $0 / Float(steps) }
    }
}

extension GradientMetric {
    /// The metric of `copies` stacked copies of a batch (`[copies·batch, …]` logits): the sum of the metric over the
    /// copies, whose gradient is each copy's own gradient.
    func stacked(_ copies: Int) -> GradientMetric {
        guard copies > 1 else { return self }
        return GradientMetric(positions: positions) { logits in
            let rows = logits.shape[0] / copies
            var total: Float = 0
            var parts: [Tensor] = []
            for c in 0..<copies {
                let (value, gradient) = try self(logits[(c * rows)..<((c + 1) * rows)])
                total += value
                parts.append(gradient)
            }
            return (total, Tensor.concat(parts, axis: 0))
        }
    }
}
