import ArgumentParser
import Foundation

/// `lens serve`: runs `lens-serve` (the Server/ package), which serves a scan database's dashboard on localhost.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a scan database's feature / neuron browser on localhost (runs lens-serve).",
        discussion: """
            The server lives in its own package (Server/, on Hummingbird), so that building lens does not build \
            SwiftNIO. lens serve runs the lens-serve executable found next to lens, in Server/.build/release, or \
            on PATH; build it once with:
              swift build -c release --package-path Server --product lens-serve

            Examples:
              lens serve --db demo-scan.sqlite
              lens serve --db scan.sqlite --port 9000
            """)

    @Option(name: .long, help: "The scan database (written by lens scan).")
    var db: String

    @Option(name: .long, help: "Port on 127.0.0.1 (0 picks a free one).")
    var port = 8080

    func run() throws {
        guard let server = Self.locate() else {
            throw CommandError("lens-serve is not built. Build it once (Hummingbird and SwiftNIO take a few minutes) with:\n"
                               + "  swift build -c release --package-path Server --product lens-serve\n"
                               + "then run lens serve again, or put lens-serve on PATH.")
        }
        let arguments = [server, "--db", db, "--port", String(port)]
        var argv = arguments.map { strdup($0) } + [nil]
        execv(server, &argv)
        throw CommandError("cannot run \(server): \(String(cString: strerror(errno)))")
    }

    /// `lens-serve` next to this executable, in `Server/.build/release` of the current directory or of the package
    /// this tool was built from, or on PATH.
    static func locate() -> String? {
        let manager = FileManager.default
        var candidates: [String] = []
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("lens-serve").path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for base in [URL(fileURLWithPath: manager.currentDirectoryPath), root] {
            candidates.append(base.appendingPathComponent("Server/.build/release/lens-serve").path)
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(String(directory) + "/lens-serve")
        }
        return candidates.first { manager.isExecutableFile(atPath: $0) }
    }
}
