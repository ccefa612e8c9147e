import Foundation

/// "Nice" tick values for a continuous axis: multiples of 1, 2 or 5 times a power of ten.
enum AxisTicks {
    /// Ticks inside a fixed domain (no widening): multiples of a nice step.
    static func inside(_ domain: ClosedRange<Double>, target: Int = 5) -> [Double] {
        let step = niceStep((domain.upperBound - domain.lowerBound) / Double(Swift.max(1, target)))
        let first = (domain.lowerBound / step - 1e-9).rounded(.up)
        let last = (domain.upperBound / step + 1e-9).rounded(.down)
        guard first <= last else { return [] }
        return stride(from: first, through: last, by: 1).map { clean($0 * step, step: step) }
    }

    /// The smallest of 1, 2, 5 × 10^k that is at least `raw`.
    private static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * power >= raw * (1 - 1e-9) { return m * power }
        return 10 * power
    }

    /// `value` rounded to the step's precision (removes 0.30000000000000004-style noise; -0 -> 0).
    private static func clean(_ value: Double, step: Double) -> Double {
        let scale = pow(10, Swift.max(0, -(log10(step)).rounded(.down) + 1))
        let r = (value * scale).rounded() / scale
        return r == 0 ? 0 : r
    }
}
