import Foundation

/// A one-line progress bar on standard error, `label [#####-----] 12/40 3.1s`, shown only once the work
/// has run longer than `delay` seconds (short sweeps print nothing) and redrawn at most every 0.1 s.
final class ProgressBar {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let delay: Double
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var drawn = false
    private var done = 0

    /// A bar for `total` steps; `enabled: false` makes every call a no-op.
    init(_ label: String, total: Int, enabled: Bool, delay: Double = 1) {
        self.label = label
        self.total = total
        self.enabled = enabled && total > 0
        self.delay = delay
    }

    /// Records `steps` more finished steps and redraws when due.
    func advance(by steps: Int) {
        guard enabled else { return }
        done += steps
        let now = DispatchTime.now().uptimeNanoseconds
        let elapsed = Double(now - start) / 1e9
        guard elapsed >= delay, done == total || now - lastDraw >= 100_000_000 else { return }
        draw(fraction: Double(done) / Double(total), text: "\(done)/\(total) \(String(format: "%.1f", elapsed))s",
             complete: done == total, now: now)
    }

    /// Redraws when due with `fraction` (0...1) of the work done and `status()` after the bar (a rate, the time
    /// left): for work measured in something other than steps. `fraction` 1 ends the line.
    func update(fraction: Double, status: () -> String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let complete = fraction >= 1
        guard Double(now - start) / 1e9 >= delay, complete || now - lastDraw >= 100_000_000 else { return }
        draw(fraction: fraction, text: status(), complete: complete, now: now)
        if complete { done = total }
    }

    /// Seconds since the bar was made.
    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    private func draw(fraction: Double, text: String, complete: Bool, now: UInt64) {
        lastDraw = now
        drawn = true
        let width = 30, filled = Swift.max(0, Swift.min(width, Int(Double(width) * fraction)))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = "\r\(label) [\(bar)] \(text)"
        FileHandle.standardError.write(Data((complete ? line + "\n" : line).utf8))
    }

    /// Ends the line if the bar was drawn but never reached its total (an error stopped the work).
    func finish() {
        if enabled, drawn, done < total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
