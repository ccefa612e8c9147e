/// Category labels along an axis: plain strings ("L0H3", "layer 2") shown as given, or
/// tokenizer pieces shown in `TokenDisplay` form ("ĠParis" -> "␣Paris") with their position in hover text.
public struct AxisLabels: Sendable, Equatable {
    /// Whether the labels are plain text or tokens.
    public enum Kind: Sendable, Equatable {
        /// Shown as given.
        case plain
        /// Tokenizer pieces: shown via `TokenDisplay.label`, hover text "[i] label".
        case tokens
    }

    /// The labels as given.
    public let items: [String]
    /// How to show them.
    public let kind: Kind

    /// Labels shown as given.
    public static func plain(_ items: [String]) -> AxisLabels { AxisLabels(items: items, kind: .plain) }

    /// Token labels (see `TokenDisplay`).
    public static func tokens(_ items: [String]) -> AxisLabels { AxisLabels(items: items, kind: .tokens) }

    /// "0", "1", ..., "count-1".
    public static func indices(_ count: Int) -> AxisLabels { .plain((0..<count).map(String.init)) }

    /// Number of labels.
    public var count: Int { items.count }

    /// The full display form of label `i`.
    func display(_ i: Int) -> String {
        kind == .tokens ? TokenDisplay.label(items[i]) : items[i]
    }

    /// Label `i` as drawn on the axis: the display form cut to `maxLength` characters.
    func axisText(_ i: Int, maxLength: Int = 16) -> String {
        TokenDisplay.truncated(display(i), maxLength: maxLength)
    }

    /// Label `i` in hover text: the display form, prefixed by "[i] " for tokens.
    func hoverText(_ i: Int) -> String {
        kind == .tokens ? "[\(i)] " + display(i) : display(i)
    }
}
