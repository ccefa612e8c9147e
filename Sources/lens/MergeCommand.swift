import ArgumentParser
import Foundation
import Lens
import LensStore

/// `lens merge`: the shard databases of a scan or sweep into the one database a single process writes.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the shard databases of a scan or sweep (--shard I/N) into exactly the database of one whole run.",
        discussion: """
            Takes every shard 0..N-1 of one lens scan or lens sweep, each finished, and writes --out: counts, sums, \
            histograms, top contexts and band samples of a scan merged exactly, per-pair sweep results in prompt \
            order with their means. `lens compare-db` finds no difference between the result and the same job run \
            in one process. Refuses shards of different jobs or shard counts, duplicate or missing shards and \
            unfinished ones. Running it again is harmless: an --out that already holds this merge is left as it is, \
            one that holds anything else is refused.

            Examples:
              lens merge --out scan.sqlite shards/scan-*.sqlite
              lens merge --out sweep.sqlite part-0.sqlite part-1.sqlite
            """)

    @Option(name: .long, help: "The merged database to write.")
    var out: String

    @Argument(help: "The shard databases, in any order.")
    var shards: [String]

    func validate() throws {
        guard !shards.isEmpty else { throw ValidationError("give the shard databases to merge") }
    }

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let kinds = shards.map { SweepDatabase.isSweep(at: $0) ? "sweep" : "scan" }
        if let other = kinds.firstIndex(where: { $0 != kinds[0] }) {
            throw CommandError("\(shards[other]) is a \(kinds[other]) database but \(shards[0]) is a \(kinds[0]) database: "
                               + "give the shards of one job")
        }
        let sweep = kinds[0] == "sweep"
        let outcome = sweep ? try SweepDatabase.merge(shards: shards, into: out) : try ScanDatabase.merge(shards: shards, into: out)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let what = sweep ? "pairs" : "contexts"
        print(outcome.written
              ? "Merged \(outcome.shards) shards: \(outcome.items) \(what), \(outcome.tokens) tokens in \(fixed(Float(seconds), 2)) s"
              : "\(out) already holds this merge of \(outcome.shards) shards (\(outcome.items) \(what)); nothing written")
        print("Database: \(URL(fileURLWithPath: out).standardizedFileURL.path)")
    }
}
