/// An edge `src → dst` of a `CircuitGraph` (source and destination indices).
public struct CircuitEdge: Hashable, Sendable, CustomStringConvertible {
    /// Source index.
    public let src: Int
    /// Destination index.
    public let dst: Int

    /// The edge `src → dst`.
    public init(_ src: Int, _ dst: Int) {
        self.src = src
        self.dst = dst
    }

    public var description: String { "\(src)->\(dst)" }
}

/// A circuit: a set of edges of a `CircuitGraph` and the source nodes they connect, pruned (as the EAP-IG library's
/// `prune`) so that every node in it has an incoming edge (the input excepted) and an outgoing one, and every edge
/// joins two nodes in it (the logits are always in).
public struct Circuit: Sendable, Equatable {
    /// The graph.
    public let graph: CircuitGraph
    /// The edges in the circuit.
    public private(set) var edges: Set<CircuitEdge>
    /// The source nodes in the circuit.
    public private(set) var nodes: Set<Int>

    /// The circuit of the given edges (pruned); throws for a pair that is not an edge of the graph.
    public init(graph: CircuitGraph, edges: Set<CircuitEdge>) throws {
        if let bad = edges.first(where: { !($0.dst < graph.destinationCount && graph.isEdge($0.src, $0.dst)) }) {
            throw LensError.invalidArgument("\(bad) is not an edge of the graph")
        }
        self.graph = graph
        self.edges = edges
        nodes = Set(edges.map(\.src))
        prune()
    }

    /// The `n` edges of largest score (of largest `|score|` when `absolute`), pruned (EAP-IG's `apply_topn`).
    public static func topN(_ scores: EdgeScores, _ n: Int, absolute: Bool = true) throws -> Circuit {
        let graph = scores.graph
        guard (0...graph.edgeCount).contains(n) else {
            throw LensError.invalidArgument("top-n needs 0 ≤ n ≤ \(graph.edgeCount) edges, got \(n)")
        }
        let ranked = scores.ranked.sorted { key($0.score, absolute) > key($1.score, absolute) }
        return try Circuit(graph: graph, edges: Set(ranked.prefix(n).map(\.edge)))
    }

    /// `n` edges chosen greedily from the logits up (EAP-IG's `apply_greedy`): repeatedly the best edge into a node
    /// already in the circuit, starting from the edges into the logits; then pruned.
    public static func greedy(_ scores: EdgeScores, _ n: Int, absolute: Bool = true) throws -> Circuit {
        let graph = scores.graph
        guard (0...graph.edgeCount).contains(n) else {
            throw LensError.invalidArgument("greedy selection needs 0 ≤ n ≤ \(graph.edgeCount) edges, got \(n)")
        }
        func incoming(_ destinations: [Int]) -> [(CircuitEdge, Float)] {
            destinations.flatMap { dst in
                (0..<graph.sourcesBefore(destination: dst)).map { (CircuitEdge($0, dst), key(scores.score($0, dst), absolute)) }
            }
        }
        var candidates = incoming([graph.logits])
        var chosen = Set<CircuitEdge>(), present: Set<Int> = []
        while chosen.count < n, let best = candidates.indices.max(by: { candidates[$0].1 < candidates[$1].1 }) {
            let edge = candidates.remove(at: best).0
            chosen.insert(edge)
            if edge.src != 0, present.insert(edge.src).inserted {
                candidates += incoming(graph.inputs(ofSource: edge.src))
            }
        }
        return try Circuit(graph: graph, edges: chosen)
    }

    private static func key(_ score: Float, _ absolute: Bool) -> Float { absolute ? Swift.abs(score) : score }

    /// Removes nodes without an incoming edge (the input excepted) or an outgoing edge, and edges whose source or
    /// reader is not in the circuit, until nothing changes.
    mutating func prune() {
        while true {
            let withOutgoing = Set(edges.map(\.src))
            let withIncoming = Set(edges.flatMap { graph.readers(ofDestination: $0.dst) }).union([0])
            let kept = nodes.intersection(withOutgoing).intersection(withIncoming)
            let keptEdges = edges.filter { edge in
                kept.contains(edge.src) && (edge.dst == graph.logits
                                            || graph.readers(ofDestination: edge.dst).contains { kept.contains($0) })
            }
            if kept == nodes && keptEdges == edges { return }
            (nodes, edges) = (kept, keptEdges)
        }
    }

    /// Whether `src → dst` is in the circuit.
    public func contains(_ src: Int, _ dst: Int) -> Bool { edges.contains(CircuitEdge(src, dst)) }
}
