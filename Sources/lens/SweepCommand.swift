import ArgumentParser
import Foundation
import Lens
import LensStore

/// `lens sweep`: a patching sweep (exact or attribution patching) over a JSONL dataset of prompt pairs, into SQLite.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a patching sweep over every pair of a JSONL dataset: per-pair results and their mean, into SQLite.",
        discussion: """
            Each line of --prompts is a JSON object {"clean": ..., "corrupted": ..., "answer": ..., "wrong": ...}: \
            prompts of equal token length (BOS is prepended) and single-token answers used exactly as written \
            (include the leading space). For every pair the sweep of lens patch (--method exact) or its \
            attribution-patching estimate (--method attribution, as lens attrib-patch) runs alone, with the metric \
            logit(answer) - logit(wrong) at the last position, normalised per pair (0 = corrupted, 1 = clean) unless \
            --raw. The database holds every pair's result (table results, in prompt order) and the mean over the pairs \
            of each result shape (table means).

            The database is saved every few seconds: a sweep stopped at any moment continues after the last saved \
            pair when run again. With --shard I/N (or in a Slurm array task) it runs the I-th of N contiguous parts of \
            the dataset, balanced by tokens; `lens merge` combines the parts into exactly the database of one whole run.

            Examples:
              lens sweep --model Models/demo --prompts pairs.jsonl --act head_z_all_pos --db sweep.sqlite
              lens sweep --model Models/demo --prompts pairs.jsonl --act resid_pre --method attribution --shard 0/2 \\
                  --db part-0.sqlite
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "JSONL file of prompt pairs (clean, corrupted, answer, wrong).")
    var prompts: String

    @Option(name: .long, help: ArgumentHelp("The sweep: " + PatchSweep.allCases.map(\.rawValue).joined(separator: ", ") + "."))
    var act: String

    @Option(name: .long, help: "exact (every patch run) or attribution (one backward pass per pair).")
    var method: DatasetSweep.Method = .exact

    @Flag(name: .long, help: "Store the raw logit difference instead of the normalised one.")
    var raw = false

    @Option(name: .long, help: "The SQLite database to write (resumed when it holds this sweep).")
    var db: String

    @Option(name: .long, help: "Seconds between saves.")
    var checkpointSeconds = 5.0

    @OptionGroup var shardOptions: ShardOptions

    @Flag(name: .long, help: "No progress bar.")
    var noProgress = false

    func validate() throws {
        guard PatchSweep(named: act) != nil else {
            throw ValidationError("--act: unknown sweep \"\(act)\"; expected one of " + PatchSweep.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let model = try modelOptions.load()
        let dataset = try PromptDataset(jsonl: prompts)
        let sweep = DatasetSweep(sweep: PatchSweep(named: act)!, method: method, normalized: !raw)
        let store = try SweepDatabase(path: db)
        if let before = try store.progress(), before.prompts > 0, !before.finished {
            print("Resumed from \(db) after \(before.prompts) pairs saved by an earlier run")
        }
        let result = try sweep.run(model: model, dataset: dataset, modelName: URL(fileURLWithPath: modelOptions.model).lastPathComponent,
                                   store: store, shard: try shardOptions.resolve(command: "sweep"),
                                   checkpointSeconds: checkpointSeconds, showProgress: !noProgress)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let pairs = result.results
        let part = result.header.shard.map { "Shard \($0) of the sweep" } ?? "Sweep"
        print("\(part) complete: \(pairs.count) pairs"
              + (pairs.isEmpty ? "" : " (prompts \(pairs[0].prompt)..<\(pairs[pairs.count - 1].prompt + 1), "
                 + "\(pairs.reduce(0) { $0 + $1.tokens }) tokens)") + " in \(fixed(Float(seconds), 1)) s")
        for mean in result.means {
            print("mean over \(mean.prompts) pairs of shape \(mean.shape) (\(sweep.sweep.rawValue), \(method.rawValue), "
                  + (raw ? "raw logit difference" : "normalised: 0 = corrupted, 1 = clean") + "):")
            print(Tensor(mean.values, shape: mean.shape).description)
        }
        print("Database: \(URL(fileURLWithPath: db).standardizedFileURL.path)")
    }
}

extension DatasetSweep.Method: ExpressibleByArgument {}
