#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A one-line progress bar on standard error for a load step (widening, rounding) that has run for over a second.
/// Shown only when standard error is a terminal, or when `SWIFTLENS_PROGRESS=1` asks for it; otherwise (tests,
/// pipes, logs) it prints nothing.
final class LoadProgress {
    private let label: String
    private let total: Int
    private let start = DispatchTime.now().uptimeNanoseconds
    private var done = 0
    private var shown = false
    private let enabled: Bool

    /// A bar for `total` units of work called `label`.
    init(_ label: String, total: Int) {
        self.label = label
        self.total = max(total, 1)
        enabled = getenv("SWIFTLENS_PROGRESS").map { String(cString: $0) == "1" } ?? (isatty(2) == 1)
    }

    /// Records `units` more done and redraws once the step has run for a second.
    func advance(_ units: Int) {
        done += units
        guard enabled, DispatchTime.now().uptimeNanoseconds - start > 1_000_000_000 else { return }
        shown = true
        let width = 30, filled = min(width, width * done / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(min(100, 100 * done / total))%".utf8))
    }

    /// Ends the line if the bar was drawn.
    func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
