import Foundation

/// One attention head, `L<layer>H<head>` as TransformerLens labels it.
public struct AttentionHead: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The layer.
    public var layer: Int
    /// The head within the layer.
    public var head: Int

    /// Head `head` of `layer`.
    public init(layer: Int, head: Int) {
        (self.layer, self.head) = (layer, head)
    }

    /// Parses `L1H2`, `1.2` or `1:2` (case-insensitive); nil for anything else.
    public init?(parsing text: String) {
        let upper = text.uppercased().trimmingCharacters(in: .whitespaces)
        var parts: [Substring]
        if upper.hasPrefix("L"), upper.contains("H") {
            parts = upper.dropFirst().split(separator: "H", omittingEmptySubsequences: false)
        } else {
            parts = upper.split(whereSeparator: { $0 == "." || $0 == ":" })
        }
        guard parts.count == 2, let layer = Int(parts[0]), let head = Int(parts[1]), layer >= 0, head >= 0 else {
            return nil
        }
        self.init(layer: layer, head: head)
    }

    /// `L1H2`.
    public var description: String { "L\(layer)H\(head)" }

    /// Throws `WorkflowError.unknownHead` unless the head exists in a model of `config`.
    public func validate(in config: ModelConfig) throws {
        guard (0..<config.nLayers).contains(layer), (0..<config.nHeads).contains(head) else {
            throw WorkflowError.unknownHead(layer: layer, head: head, layers: config.nLayers, heads: config.nHeads)
        }
    }

    /// The `count` heads with the largest `scores[layer][head]` (by absolute value with `byMagnitude`),
    /// best first; ties keep layer-major order.
    public static func top(_ count: Int, of scores: [[Float]], byMagnitude: Bool = false) -> [AttentionHead] {
        let all = scores.enumerated().flatMap { l, row in row.enumerated().map { (AttentionHead(layer: l, head: $0.offset), $0.element) } }
        let key: (Float) -> Float = { byMagnitude ? Swift.abs($0) : $0 }
        let ordered = all.enumerated().sorted { a, b in
            let (x, y) = (key(a.element.1), key(b.element.1))
            return x != y ? x > y : a.offset < b.offset
        }
        return ordered.prefix(count).map(\.element.0)
    }
}
