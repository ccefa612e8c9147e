import Foundation
import Testing
@testable import Lens
@testable import LensStore

/// Sharded scans and sweeps merged by `lens merge`: the merged database holds exactly what one process writes
/// (`DatabaseComparison`, every row and type), for uneven shards, empty shards and a shard stopped and resumed;
/// merging again is harmless; duplicate, missing, unfinished and foreign shards are refused, naming the files.
@Suite struct ShardMergeTests {
    /// Runs `scan` over `corpus` as `count` shards into `folder/name-k.sqlite` (shard `stopped`, if any, stopped after
    /// one batch and then resumed); returns the paths.
    static func shards(_ scan: CorpusScan, model: LensModel, corpus: Corpus, count: Int, in folder: URL, name: String,
                       stopped: Int? = nil) throws -> [String] {
        try (0..<count).map { k in
            let path = folder.appendingPathComponent("\(name)-\(k).sqlite").path
            let shard = try Shard(index: k, count: count)
            if k == stopped {
                let partial = try scan.run(model: model, corpus: corpus, store: ScanDatabase(path: path), shard: shard, maxBatches: 1)
                #expect(!partial.checkpoint.finished)
            }
            _ = try scan.run(model: model, corpus: corpus, store: ScanDatabase(path: path), shard: shard, checkpointSeconds: 0)
            return path
        }
    }

    /// The demo model, `ScanDatabaseTests`'s corpus (one line empty) and a cheap scan of eight heads in batches of 4
    /// contexts of 12 tokens: every head fires on every token, so top lists, histograms and band samples all merge.
    static func setup() throws -> (LensModel, Corpus, CorpusScan, URL) {
        let (model, corpus, _, folder) = try ScanDatabaseTests.setup()
        let scan = CorpusScan(units: [try HeadUnits(layers: [0, 2], model: model.transformer)],
                              options: ScanOptions(batchSize: 4, topK: 3, windowBefore: 3, windowAfter: 1, samplesPerBand: 2),
                              packing: PackingOptions(contextLength: 12, tokenizer: model.tokenizer))
        return (model, corpus, scan, folder)
    }

    static func mismatch(_ body: () throws -> Void) -> String? {
        do { try body() } catch let ShardError.mismatch(reason) { return reason } catch { return "\(error)" }
        return nil
    }

    @Test func shardedScanMergesExactly() throws {
        let (model, corpus, scan, folder) = try Self.setup()
        let whole = folder.appendingPathComponent("whole.sqlite").path
        let result = try scan.run(model: model, corpus: corpus, store: ScanDatabase(path: whole))
        let batches = result.checkpoint.nextBatch
        #expect(batches >= 4)
        // Three uneven shards (one stopped and resumed), given out of order; then more shards than batches (empty ones).
        for (count, stopped) in [(3, 1), (batches + 2, nil)] {
            let paths = try Self.shards(scan, model: model, corpus: corpus, count: count, in: folder, name: "of\(count)", stopped: stopped)
            let merged = folder.appendingPathComponent("merged-\(count).sqlite").path
            let outcome = try ScanDatabase.merge(shards: paths.reversed(), into: merged)
            #expect(outcome.written && outcome.items == result.checkpoint.contexts && outcome.shards == count)
            let comparison = try DatabaseComparison(merged, whole)
            #expect(comparison.equal, "\(comparison.differences)")
            #expect(comparison.rows > 100)
            #expect(try ScanDatabase(readingAt: merged).checkpoint().statistics == result.statistics)
            // Idempotent: the same merge again writes nothing and leaves the file as it was.
            #expect(try !ScanDatabase.merge(shards: paths, into: merged).written)
            #expect(try DatabaseComparison(merged, whole).equal)
        }
        let sizes = try (0..<(batches + 2)).map { try ScanDatabase(readingAt: folder.appendingPathComponent("of\(batches + 2)-\($0).sqlite").path).progress().contexts }
        #expect(sizes.filter { $0 == 0 }.count >= 2 && sizes.reduce(0, +) == result.checkpoint.contexts)
        // A database that differs in any row is reported.
        var other = scan
        other.options.topK = 2
        let different = folder.appendingPathComponent("topk2.sqlite").path
        _ = try other.run(model: model, corpus: corpus, store: ScanDatabase(path: different))
        #expect(try !DatabaseComparison(different, whole).equal)
    }

    @Test func scanShardsThatDoNotMakeOneScanAreRefused() throws {
        let (model, corpus, scan, folder) = try Self.setup()
        let paths = try Self.shards(scan, model: model, corpus: corpus, count: 3, in: folder, name: "a")
        let out = folder.appendingPathComponent("out.sqlite").path
        // Duplicate shard ids: the same file twice, or two files holding shard 1/3.
        #expect(Self.mismatch { _ = try ScanDatabase.merge(shards: [paths[0], paths[1], paths[1], paths[2]], into: out) }?
            .contains("are both shard 1/3") == true)
        let copy = folder.appendingPathComponent("copy-1.sqlite").path
        try FileManager.default.copyItem(atPath: paths[1], toPath: copy)
        #expect(Self.mismatch { _ = try ScanDatabase.merge(shards: paths + [copy], into: out) } ==
            "\(paths[1]) and \(copy) are both shard 1/3")
        #expect(Self.mismatch { _ = try ScanDatabase.merge(shards: [paths[0], paths[2]], into: out) } ==
            "shard 1/3 missing (2 of 3 given)")
        // A shard of another shard count, of another scan, an unfinished shard, a whole scan.
        func single(_ scan: CorpusScan, _ shard: Shard, _ name: String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            _ = try scan.run(model: model, corpus: corpus, store: ScanDatabase(path: path), shard: shard)
            return path
        }
        let four = try single(scan, Shard(index: 2, count: 4), "two-of-four.sqlite")
        #expect(Self.mismatch { _ = try ScanDatabase.merge(shards: [paths[0], paths[1], four], into: out) }?
            .contains("is shard 2/4 but") == true)
        var other = scan
        other.options.topK = 2
        let foreign = try single(other, Shard(index: 1, count: 3), "foreign.sqlite")
        #expect(Self.mismatch { _ = try ScanDatabase.merge(shards: [paths[0], foreign, paths[2]], into: out) }?
            .hasPrefix("\(foreign) is a shard of another job than \(paths[0]) (its options differ") == true)
        let unfinished = folder.appendingPathComponent("unfinished.sqlite").path
        _ = try scan.run(model: model, corpus: corpus, store: ScanDatabase(path: unfinished), shard: Shard(index: 2, count: 3),
                         maxBatches: 1)
        #expect(Self.mismatch { _ = try ScanDatabase.merge(shards: [paths[0], paths[1], unfinished], into: out) }?
            .hasPrefix("\(unfinished) (shard 2/3) is unfinished") == true)
        let whole = folder.appendingPathComponent("whole.sqlite").path
        _ = try scan.run(model: model, corpus: corpus, store: ScanDatabase(path: whole))
        #expect(Self.mismatch { _ = try ScanDatabase.merge(shards: [whole, paths[1]], into: out) } ==
            "\(whole) holds a whole job, not a shard")
        // None of the refusals wrote the output; an output holding other results is refused, never overwritten.
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(Self.mismatch { _ = try ScanDatabase.merge(shards: paths, into: foreign) }?.contains("holds other results") == true)
        // A shard database refuses to continue as another shard.
        #expect(throws: StoreError.self) {
            try scan.run(model: model, corpus: corpus, store: ScanDatabase(path: paths[0]), shard: Shard(index: 1, count: 3))
        }
    }

    @Test func shardedSweepMergesExactly() throws {
        let folder = try ScanDatabaseTests.temporary()
        let lines = try String(contentsOf: ScanDatabaseTests.modelFolder.appendingPathComponent("pairs.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(5)
        let file = folder.appendingPathComponent("pairs.jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: file)
        let model = try LensModel(pretrained: ScanDatabaseTests.modelFolder)
        let dataset = try PromptDataset(jsonl: file.path)
        let sweep = DatasetSweep(sweep: .headZAllPos, method: .attribution)
        let whole = folder.appendingPathComponent("whole.sqlite").path
        let result = try sweep.run(model: model, dataset: dataset, store: SweepDatabase(path: whole))
        #expect(result.results.map(\.prompt) == Array(0..<5) && result.means.count == 1)
        // The mean is the mean of the per-pair results, and each pair's result is its own sweep.
        let first = try sweep.result(try dataset.tokenized(model: model)[0], prompt: 0, model: model)
        #expect(first == result.results[0])
        let mean = result.means[0].values
        for k in mean.indices {
            let direct = result.results.reduce(0.0) { $0 + Double($1.values[k]) } / 5
            #expect(Float(direct) == mean[k])
        }
        // Two uneven shards, and seven (two empty); given out of order.
        for count in [2, 7] {
            let paths = try (0..<count).map { k in
                let path = folder.appendingPathComponent("s\(count)-\(k).sqlite").path
                _ = try sweep.run(model: model, dataset: dataset, store: SweepDatabase(path: path), shard: Shard(index: k, count: count))
                return path
            }
            let merged = folder.appendingPathComponent("merged-\(count).sqlite").path
            #expect(try SweepDatabase.merge(shards: paths.reversed(), into: merged).items == 5)
            let comparison = try DatabaseComparison(merged, whole)
            #expect(comparison.equal, "\(comparison.differences)")
            #expect(try !SweepDatabase.merge(shards: paths, into: merged).written)
            #expect(Self.mismatch { _ = try SweepDatabase.merge(shards: paths + [paths[0]], into: merged) }?
                .contains("are both shard 0/\(count)") == true)
        }
        // A sweep of another method is another job.
        let exact = folder.appendingPathComponent("exact-1.sqlite").path
        _ = try DatasetSweep(sweep: .headZAllPos, method: .exact)
            .run(model: model, dataset: dataset, store: SweepDatabase(path: exact), shard: Shard(index: 1, count: 7))
        #expect(Self.mismatch {
            _ = try SweepDatabase.merge(shards: [folder.appendingPathComponent("s7-0.sqlite").path, exact], into: whole + ".x")
        }?.contains("its sweep differs") == true)
    }

    @Test func partitionIsBalancedByTokensAndDeterministic() throws {
        let weights = [5, 1, 1, 9, 2, 2, 2, 7, 0, 3, 4, 4, 1]
        let total = weights.reduce(0, +)
        for count in 1...16 {
            let ranges = Shard.ranges(weights: weights, count: count)
            #expect(ranges == Shard.ranges(weights: weights, count: count))
            #expect(ranges.count == count && ranges.first?.lowerBound == 0 && ranges.last?.upperBound == weights.count)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            // Each boundary is the first at which the tokens before it reach k/count of the total.
            for (k, range) in ranges.enumerated().dropFirst() {
                let before = weights[..<range.lowerBound].reduce(0, +)
                #expect(before * count >= k * total || range.lowerBound == weights.count)
                #expect(range.lowerBound == 0 || (before - weights[range.lowerBound - 1]) * count < k * total
                        || range.lowerBound == ranges[k - 1].lowerBound)
            }
            let loads = ranges.map { weights[$0].reduce(0, +) }
            #expect(loads.allSatisfy { Double($0) < Double(total) / Double(count) + Double(weights.max()!) })
        }
        #expect(Shard.ranges(weights: [], count: 3) == [0..<0, 0..<0, 0..<0])
        #expect(Shard.ranges(weights: [0, 0, 0, 0], count: 2) == [0..<2, 2..<4])
    }

    @Test func shardSpecificationsAndSlurmArrays() throws {
        #expect(try Shard(parsing: "2/4") == Shard(index: 2, count: 4))
        for bad in ["4/4", "-1/4", "1/0", "1", "a/b", "1/2/3", ""] {
            #expect(throws: ShardError.self) { try Shard(parsing: bad) }
        }
        #expect(try Shard.slurm(environment: [:]) == nil)
        #expect(try Shard.slurm(environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"]) == Shard(index: 3, count: 4))
        #expect(try Shard.slurm(environment: ["SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "10",
                                              "SLURM_ARRAY_TASK_MAX": "13"]) == Shard(index: 2, count: 4))
        #expect(throws: ShardError.self) {
            try Shard.slurm(environment: ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1",
                                          "SLURM_ARRAY_TASK_MAX": "9", "SLURM_ARRAY_TASK_STEP": "4"])
        }
        #expect(throws: ShardError.self) { try Shard.slurm(environment: ["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "3"]) }
    }

    /// `lens slurm` writes an array script whose tasks run the shards and a merge script submitted afterok on the array,
    /// with the memory plan's request; it refuses a command that picks its own shard.
    @Test func slurmScriptsRunTheShardsThenTheMerge() throws {
        let folder = try ScanDatabaseTests.temporary()
        let model = ScanDatabaseTests.modelFolder.path
        func lens(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let process = Process(), pipe = Pipe()
            process.executableURL = URL(fileURLWithPath: try KillResumeTests.lensExecutable())
            process.arguments = arguments
            (process.standardOutput, process.standardError) = (pipe, pipe)
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, output)
        }
        let dir = folder.appendingPathComponent("jobs").path
        let written = try lens(["slurm", "--shards", "3", "--dir", dir, "--max-parallel", "2", "--partition", "cpu", "--",
                                "sweep", "--model", model, "--prompts", model + "/pairs.jsonl", "--act", "resid_pre", "--db", "out/all.sqlite"])
        #expect(written.status == 0, "\(written.output)")
        let shards = try String(contentsOfFile: dir + "/shards.sbatch", encoding: .utf8)
        let merge = try String(contentsOfFile: dir + "/merge.sbatch", encoding: .utf8)
        let submit = try String(contentsOfFile: dir + "/submit.sh", encoding: .utf8)
        for line in ["#SBATCH --array=0-2%2", "#SBATCH --requeue", "#SBATCH --partition=cpu", "#SBATCH --cpus-per-task=4",
                     "--shard \"${SLURM_ARRAY_TASK_ID}/3\" --no-progress --db '\(dir)/shards/all-'\"${SLURM_ARRAY_TASK_ID}\"'.sqlite'",
                     "#   weights (4 bytes per parameter): 3.8 MiB"] {
            #expect(shards.contains(line), "\(line)")
        }
        #expect(shards.contains("#SBATCH --mem=") && !shards.contains("--db' 'out/all.sqlite"))
        #expect(merge.contains("'merge' '--out' 'out/all.sqlite' '\(dir)/shards/all-'*'.sqlite'"))
        #expect(submit.contains("--dependency=afterok:${array}"))
        for script in ["shards.sbatch", "merge.sbatch", "submit.sh"] {
            let check = Process()
            check.executableURL = URL(fileURLWithPath: "/bin/bash")
            check.arguments = ["-n", dir + "/" + script]
            try check.run()
            check.waitUntilExit()
            #expect(check.terminationStatus == 0, "\(script) is not valid bash")
        }
        let refused = try lens(["slurm", "--shards", "2", "--dir", dir, "--", "scan", "--model", model, "--corpus",
                                model + "/corpus.txt", "--heads", "0", "--shard", "0/2", "--db", "x.sqlite"])
        #expect(refused.status != 0 && refused.output.contains("leave --shard to lens slurm"))
    }
}
