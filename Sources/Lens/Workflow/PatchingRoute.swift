/// Where a `resid_pre` patching sweep finds the information: consecutive layers whose strongest position is
/// the same, e.g. "the subject token in layers 0–1, then the last position from layer 2".
public struct PatchingRoute: Sendable, Equatable, Encodable {
    /// One stretch of layers with the same strongest position.
    public struct Leg: Sendable, Equatable, Encodable {
        /// First layer of the stretch.
        public let firstLayer: Int
        /// Last layer of the stretch.
        public let lastLayer: Int
        /// The strongest position in these layers.
        public let position: Int
    }

    /// The stretches, from layer 0 up.
    public let legs: [Leg]

    /// The route of `scan`'s `resid_pre` sweep.
    public init(_ scan: PatchingScan) {
        var legs: [Leg] = []
        for (layer, position) in scan.topPositionPerLayer.enumerated() {
            if let last = legs.last, last.position == position {
                legs[legs.count - 1] = Leg(firstLayer: last.firstLayer, lastLayer: layer, position: position)
            } else {
                legs.append(Leg(firstLayer: layer, lastLayer: layer, position: position))
            }
        }
        self.legs = legs
    }

    /// `' Eiffel' (pos 2) in layers 0–1, then ' in' (pos 6) in layers 2–3`, with `tokens` as text.
    public func description(tokens: [String]) -> String {
        legs.map { leg in
            let layers = leg.firstLayer == leg.lastLayer ? "layer \(leg.firstLayer)" : "layers \(leg.firstLayer)–\(leg.lastLayer)"
            return "\(quoted(tokens[leg.position])) (pos \(leg.position)) in \(layers)"
        }.joined(separator: ", then ")
    }
}

/// A token shown in single quotes with its spaces kept: `' Paris'`.
func quoted(_ token: String) -> String { "'\(token)'" }
