/// The computational graph of edge attribution patching (EAP, Syed et al. 2023; EAP-IG, Hanna et al. 2024), laid
/// out as the EAP-IG library lays it out:
///
/// - sources (whose outputs write to the residual stream): `input` (`hook_embed`), every head `a{l}.h{h}`
///   (`blocks.l.attn.hook_result[:, :, h]`), every MLP `m{l}` (`blocks.l.hook_mlp_out`); source index
///   `1 + l·(n_heads + 1) + h` for a head and `1 + l·(n_heads + 1) + n_heads` for an MLP;
/// - destinations (which read the residual stream): each head's query, key and value inputs `a{l}.h{h}<q|k|v>`
///   (`hook_q_input`, `hook_k_input`, `hook_v_input`; with grouped-query attention the key and value inputs
///   belong to the key/value heads), every MLP's input (`hook_mlp_in`) and `logits` (the last block's
///   `hook_resid_post`), ordered layer by layer: queries, keys, values, MLP; logits last;
/// - an edge `src → dst` exists when `src` writes before `dst` reads: sources of earlier layers, and within a layer
///   the heads before the MLP (unless attention and MLP run in parallel).
public struct CircuitGraph: Sendable, Equatable {
    /// Blocks.
    public let nLayers: Int
    /// Query heads per block.
    public let nHeads: Int
    /// Key/value heads per block.
    public let nKeyValueHeads: Int
    /// Whether the blocks have MLPs.
    public let hasMLP: Bool
    /// Whether attention and MLP read the same residual.
    public let parallel: Bool

    /// The graph of a model (its config's layer, head and MLP layout).
    public init(config: ModelConfig) {
        nLayers = config.nLayers
        nHeads = config.nHeads
        nKeyValueHeads = config.keyValueHeads
        hasMLP = !config.attnOnly
        parallel = config.parallelAttnMLP
    }

    private var perLayerSources: Int { nHeads + (hasMLP ? 1 : 0) }
    private var perLayerDestinations: Int { nHeads + 2 * nKeyValueHeads + (hasMLP ? 1 : 0) }

    /// Number of sources.
    public var sourceCount: Int { 1 + nLayers * perLayerSources }
    /// Number of destinations.
    public var destinationCount: Int { nLayers * perLayerDestinations + 1 }

    /// Source index of head `h` of layer `l`.
    public func head(_ l: Int, _ h: Int) -> Int { 1 + l * perLayerSources + h }
    /// Source index of the MLP of layer `l`.
    public func mlp(_ l: Int) -> Int { 1 + l * perLayerSources + nHeads }

    /// Destination index of input `input` of head `h` of layer `l` (a key/value head for `k` and `v`).
    public func destination(_ l: Int, _ input: HeadInput, _ h: Int) -> Int {
        let base = l * perLayerDestinations
        switch input {
        case .q: return base + h
        case .k: return base + nHeads + h
        case .v: return base + nHeads + nKeyValueHeads + h
        }
    }
    /// Destination index of the MLP input of layer `l`.
    public func mlpInput(_ l: Int) -> Int { l * perLayerDestinations + nHeads + 2 * nKeyValueHeads }
    /// Destination index of the logits.
    public var logits: Int { destinationCount - 1 }

    /// The number of sources written before destination `d` reads (sources `0..<n` feed it).
    public func sourcesBefore(destination d: Int) -> Int {
        if d == logits { return sourceCount }
        let l = d / perLayerDestinations, offset = d % perLayerDestinations
        let isMLP = hasMLP && offset == perLayerDestinations - 1
        return 1 + l * perLayerSources + (isMLP && !parallel ? nHeads : 0)
    }

    /// Whether `src → dst` is an edge.
    public func isEdge(_ src: Int, _ dst: Int) -> Bool { src < sourcesBefore(destination: dst) }

    /// The number of edges.
    public var edgeCount: Int { (0..<destinationCount).map(sourcesBefore(destination:)).reduce(0, +) }

    /// The name of source `s`: `input`, `a{l}.h{h}`, `m{l}`.
    public func sourceName(_ s: Int) -> String {
        if s == 0 { return "input" }
        let l = (s - 1) / perLayerSources, i = (s - 1) % perLayerSources
        return i < nHeads ? "a\(l).h\(i)" : "m\(l)"
    }

    /// The name of destination `d`: `a{l}.h{h}<q>`, `a{l}.h{h}<k>` (key/value head index), `m{l}`, `logits`.
    public func destinationName(_ d: Int) -> String {
        if d == logits { return "logits" }
        let l = d / perLayerDestinations, i = d % perLayerDestinations
        if i < nHeads { return "a\(l).h\(i)<q>" }
        if i < nHeads + nKeyValueHeads { return "a\(l).h\(i - nHeads)<k>" }
        if i < nHeads + 2 * nKeyValueHeads { return "a\(l).h\(i - nHeads - nKeyValueHeads)<v>" }
        return "m\(l)"
    }

    /// The source nodes that read through destination `d`: its head (every query head of the group for a shared
    /// key/value input) or its MLP; empty for the logits.
    public func readers(ofDestination d: Int) -> [Int] {
        if d == logits { return [] }
        let l = d / perLayerDestinations, i = d % perLayerDestinations
        let group = nHeads / nKeyValueHeads
        if i < nHeads { return [head(l, i)] }
        if i < nHeads + 2 * nKeyValueHeads {
            let kv = (i - nHeads) % nKeyValueHeads
            return (0..<group).map { head(l, kv * group + $0) }
        }
        return [mlp(l)]
    }

    /// The destinations source node `s` reads through (a head's q, k, v inputs, an MLP's input); none for `input`.
    public func inputs(ofSource s: Int) -> [Int] {
        guard s > 0 else { return [] }
        let l = (s - 1) / perLayerSources, i = (s - 1) % perLayerSources
        guard i < nHeads else { return [mlpInput(l)] }
        let kv = i / (nHeads / nKeyValueHeads)
        return [destination(l, .q, i), destination(l, .k, kv), destination(l, .v, kv)]
    }
}
