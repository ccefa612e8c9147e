/// How much of the model's behaviour a circuit keeps, measured by patching every edge outside it.
public struct CircuitFaithfulness: Sendable, Equatable {
    /// The metric with every edge outside the circuit carrying its corrupted value.
    public let circuit: Float
    /// The metric of the full model on the clean tokens (every edge in).
    public let clean: Float
    /// The metric of the corrupted run (no edge in: every edge corrupted).
    public let corrupted: Float

    /// `(circuit − corrupted) / (clean − corrupted)`: the fraction of the full model's metric the circuit recovers.
    public var fraction: Float { (circuit - corrupted) / (clean - corrupted) }
}

extension HookedTransformer {
    /// Runs the clean tokens with every edge outside `circuit` patched (path patching of edges, as the EAP-IG
    /// library's `evaluate_graph` with the patching intervention): each destination reads
    /// `its input + Σ_{src → dst not in the circuit} (corrupted src output − this run's src output)`, so edges in the
    /// circuit carry the values this run computes and the others the corrupted run's. Returns the metric of that
    /// run beside the clean and corrupted metrics.
    public func evaluateCircuit(_ circuit: Circuit, clean: Tensor, corrupted: Tensor,
                                metric: PatchingMetric) throws -> CircuitFaithfulness {
        let model = try circuitModel()
        let graph = circuit.graph
        guard graph == CircuitGraph(config: config) else {
            throw LensError.invalidArgument("the circuit was made on another model's graph")
        }
        let cleanRows = clean.rank == 1 ? clean.unsqueezed(0) : clean
        let corruptedRows = corrupted.rank == 1 ? corrupted.unsqueezed(0) : corrupted
        guard cleanRows.shape == corruptedRows.shape else {
            throw LensError.invalidArgument("clean tokens \(clean.shape) and corrupted tokens \(corrupted.shape) differ in shape")
        }
        let sources = graph.sourceHooks()
        let (corruptedLogits, corruptedCache) = try model.runWithCache(corruptedRows, names: .names(sources))
        let patch = EdgePatch(circuit: circuit, corrupted: CircuitGraph.rows(try sources.map { try corruptedCache[$0] }))
        let patched = try model.runWithHooks(cleanRows, hooks: patch.hooks())
        return CircuitFaithfulness(circuit: try metric(patched), clean: try metric(model.forward(tokens: cleanRows)),
                                   corrupted: try metric(corruptedLogits))
    }
}

/// The hooks of one circuit evaluation: source hooks record this run's outputs (rows `[batch·pos·d_model]`), and
/// destination hooks add `Σ_{edges not in the circuit} (corrupted − current)` of their sources.
private final class EdgePatch {
    let circuit: Circuit
    /// Corrupted source outputs `[sources, batch·pos·d_model]`.
    let corrupted: Tensor
    /// This run's source outputs, filled in forward order.
    var current: [Tensor] = []

    init(circuit: Circuit, corrupted: Tensor) {
        self.circuit = circuit
        self.corrupted = corrupted
    }

    /// The forward hooks: record at every source, patch at every destination.
    func hooks() -> [(HookTarget, HookFunction)] {
        let graph = circuit.graph
        var hooks: [(HookTarget, HookFunction)] = [("hook_embed", record)]
        for l in 0..<graph.nLayers {
            for (input, heads) in [(HeadInput.q, graph.nHeads), (.k, graph.nKeyValueHeads), (.v, graph.nKeyValueHeads)] {
                let destinations = (0..<heads).map { graph.destination(l, input, $0) }
                hooks.append((.name("blocks.\(l).hook_\(input.rawValue)_input"), { [unowned self] a, _ in try self.patch(a, destinations) }))
            }
            hooks.append((.name("blocks.\(l).attn.hook_result"), record))
            if graph.hasMLP {
                hooks.append((.name("blocks.\(l).hook_mlp_in"), { [unowned self] a, _ in try self.patch(a, [graph.mlpInput(l)]) }))
                hooks.append((.name("blocks.\(l).hook_mlp_out"), record))
            }
        }
        hooks.append((.name("blocks.\(graph.nLayers - 1).hook_resid_post"), { [unowned self] a, _ in try self.patch(a, [graph.logits]) }))
        return hooks
    }

    /// Stores a source activation (`[batch, pos, d]` or per head `[batch, pos, heads, d]`) as rows.
    private func record(_ activation: Tensor, _: HookPoint) throws -> Tensor? {
        let rows = CircuitGraph.rows([activation])
        for r in 0..<rows.shape[0] { current.append(rows[r]) }
        return nil
    }

    /// `activation` (`[batch, pos, d]`, or `[batch, pos, heads, d]` for the destinations' heads) plus, for each
    /// destination, `Σ_{src not joined to it} (corrupted − current)[src]`.
    private func patch(_ activation: Tensor, _ destinations: [Int]) throws -> Tensor? {
        let graph = circuit.graph
        let count = graph.sourcesBefore(destination: destinations[0])
        guard current.count >= count else {
            throw LensError.invalidArgument("circuit evaluation reached \(graph.destinationName(destinations[0])) "
                                            + "before all of its sources")
        }
        var weights = [Float](repeating: 0, count: destinations.count * count)
        for (i, dst) in destinations.enumerated() {
            for src in 0..<count where !circuit.contains(src, dst) { weights[i * count + src] = 1 }
        }
        guard weights.contains(1) else { return nil }
        let difference = corrupted[0..<count] - Tensor.stack(Array(current[0..<count]), axis: 0)
        let update = Tensor(weights, shape: [destinations.count, count]).matmul(difference)
        guard activation.rank == 4 else { return activation + update.reshaped(activation.shape) }
        let (b, p, h, d) = (activation.shape[0], activation.shape[1], activation.shape[2], activation.shape[3])
        return activation + update.reshaped([h, b, p, d]).permuted([1, 2, 0, 3])
    }
}
