import Foundation
import Testing
@testable import Lens
@testable import LensStore

/// A real `lens scan` process killed with SIGKILL in the middle of a scan, then run again: its database ends up
/// holding exactly what an uninterrupted scan writes.
@Suite struct KillResumeTests {
    /// The `lens` executable built beside this test bundle.
    static func lensExecutable() throws -> String {
        let here = Bundle.main.executableURL?.deletingLastPathComponent() ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [here, here.deletingLastPathComponent()].map({ $0.appendingPathComponent("lens").path })
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw StoreError.notAScanDatabase(path: here.path, reason: "no lens executable beside the tests")
    }

    static func scan(_ db: String, corpus: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try lensExecutable())
        process.arguments = ["scan", "--model", ScanDatabaseTests.modelFolder.path, "--corpus", corpus, "--heads", "0,2",
                             "--db", db, "--context-length", "12", "--batch-size", "1", "--top-k", "3",
                             "--checkpoint-seconds", "0", "--no-progress"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func killedScanResumesExactly() throws {
        let folder = try ScanDatabaseTests.temporary()
        let corpus = folder.appendingPathComponent("corpus.txt")
        try Data(Array(repeating: ScanDatabaseTests.lines.joined(separator: "\n"), count: 15).joined(separator: "\n").utf8).write(to: corpus)
        let killed = folder.appendingPathComponent("killed.sqlite").path, whole = folder.appendingPathComponent("whole.sqlite").path
        let first = try Self.scan(killed, corpus: corpus.path)
        var seen = 0
        let deadline = Date().addingTimeInterval(120)
        while first.isRunning, Date() < deadline {
            seen = (try? ScanDatabase(readingAt: killed).progress().contexts) ?? 0
            if seen >= 10 { break }
            usleep(20_000)
        }
        #expect(first.isRunning, "the scan finished before it could be killed (saw \(seen) contexts)")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)
        let stopped = try ScanDatabase(readingAt: killed).checkpoint()
        #expect(!stopped.finished && stopped.contexts >= 10)
        let resumed = try Self.scan(killed, corpus: corpus.path)
        resumed.waitUntilExit()
        let straight = try Self.scan(whole, corpus: corpus.path)
        straight.waitUntilExit()
        #expect(resumed.terminationStatus == 0 && straight.terminationStatus == 0)
        let a = try ScanDatabase(readingAt: killed).checkpoint(), b = try ScanDatabase(readingAt: whole).checkpoint()
        #expect(a.finished && a.contexts == b.contexts && a.report == b.report)
        #expect(a.statistics == b.statistics)
    }
}
