import Foundation
import Lens

/// What one Slurm task asks for: memory from the memory plan (the model's config, never its weights), CPUs, and a
/// time limit from a conservative throughput, with the plan's terms for the script's comments.
struct TaskResources {
    var memoryBytes: Int
    var cpus: Int
    var minutes: Int
    var terms: [(String, Int)]

    /// `--mem` in MiB.
    var memoryMiB: Int { (memoryBytes + (1 << 20) - 1) >> 20 }

    /// `--time` as `D-HH:MM:00`.
    var time: String { String(format: "%d-%02d:%02d:00", minutes / 1440, minutes / 60 % 24, minutes % 60) }

    /// Plan lines for the script: `weights 3.1 MiB`, ...
    var lines: [String] { terms.map { "\($0.0): \(MemoryBudget.format($0.1))" } }

    /// Sums the plan's terms, adds a quarter for what the plan does not itemise and rounds up to 64 MiB.
    init(terms: [(String, Int?)], cpus: Int, minutes: Int) throws {
        let resolved = try terms.map { term -> (String, Int) in
            guard let bytes = term.1 else { throw CommandError("the memory plan overflows at \(term.0)") }
            return (term.0, bytes)
        }
        let total = resolved.reduce(0) { $0 + $1.1 }
        let unit = 64 << 20
        memoryBytes = (total + total / 4 + unit - 1) / unit * unit
        (self.cpus, self.minutes, self.terms) = (cpus, minutes, resolved)
    }
}

/// Memory and time of the tasks of `lens slurm` for a scan or a sweep.
enum SlurmPlan {
    /// What the Swift runtime, Foundation, BLAS and SQLite hold before any model (measured on the demo model: ~90 MB).
    static let runtimeBytes = 256 << 20
    /// The throughput assumed for time limits: 5 GFLOP/s per CPU, a third of what a GPT-2-small scan reaches on one
    /// AVX2 core (docs/SCALING.md), so that a limit is rarely hit. A task that hits it ends TIMEOUT (Slurm does not
    /// requeue it); submitting the same scripts again resumes every shard from its database.
    static let flopsPerCPU = 5e9

    /// Minutes for `flops` on `cpus` CPUs at `flopsPerCPU`, doubled, plus `fixedMinutes`; at least 10.
    static func minutes(flops: Double, cpus: Int, fixedMinutes: Double = 5) -> Int {
        Swift.max(10, Int((2 * flops / (Double(cpus) * flopsPerCPU) / 60 + fixedMinutes).rounded(.up)))
    }

    /// Bytes of the model's weights as the loader holds them (Float32 when processed) plus the checkpoint file it
    /// maps while converting.
    static func weightTerms(_ config: ModelConfig, folder: URL, processed: Bool) -> [(String, Int?)] {
        let checkpoint = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".safetensors") || $0.hasSuffix(".pth") || $0.hasSuffix(".bin") }
            .reduce(0) { $0 + fileSize(folder.appendingPathComponent($1).path) }
        return [("weights (\(processed ? 4 : 2) bytes per parameter)", config.weightBytes(bytesPerParameter: processed ? 4 : 2)),
                ("checkpoint files, mapped while loading", checkpoint)]
    }

    /// A shard of `lens scan`, and the merge.
    static func scan(_ command: ScanCommand, shards: Int, cpus: Int) throws -> (shard: TaskResources, merge: TaskResources) {
        let folder = URL(fileURLWithPath: command.modelOptions.model)
        let config = try ModelConfig(modelFolder: folder)
        let length = command.contextLength ?? Swift.min(128, config.nCtx), batch = command.batchSize
        var units = try command.layers(command.neurons, "--neurons").count * (config.dMLP ?? 0)
            + (try command.layers(command.heads, "--heads").count * config.nHeads)
        var saeBytes = 0
        for path in command.sae {
            let cfg = URL(fileURLWithPath: path).appendingPathComponent("cfg.json")
            let sae = try SAEConfig(json: try Data(contentsOf: cfg), file: cfg.path)
            units += sae.dSAE
            saeBytes += 2 * fileSize(URL(fileURLWithPath: path).appendingPathComponent("sae_weights.safetensors").path)
        }
        if let directions = command.directions { units += Swift.max(1, fileSize(directions) / 4 / Swift.max(1, config.dModel)) }
        let bins = HistogramBins(), window = command.windowBefore + 1 + command.windowAfter
        let examples = command.topK + command.samplesPerBand * bins.bands
        let statistics = CheckedSize.product([units, bins.count * 8 + 64 + examples * (window * 16 + 96)])
        let corpusBytes = try Corpus(paths: command.corpus, format: command.format, textField: command.textField).byteCount
        // Text: about 4 bytes a token (3 assumed, to err long); token files: 4 bytes an id at least.
        let tokens = corpusBytes / 3
        let flopsPerToken = 2 * Double(config.parameterCount ?? 0) + Double(units) * 2 * Double(config.dModel)
        let shard = try TaskResources(terms: [("runtime", runtimeBytes)] + weightTerms(config, folder: folder, processed: !command.modelOptions.noProcessing) + [
            ("activations of a batch of \(batch) × \(length)", config.activationBytes(batch: batch, length: length, past: 0)),
            ("unit activations of a batch (\(units) units, twice)", CheckedSize.product([2, batch, length, units, 4])),
            ("SAE weights", saeBytes),
            ("statistics and examples of \(units) units", statistics),
            ("logit effects (256 units × vocabulary at a time, thrice)", CheckedSize.product([3, 256, config.dVocabOut, 4])),
            ("vocabulary", CheckedSize.product([config.dVocab, 64])),
        ], cpus: cpus, minutes: minutes(flops: flopsPerToken * Double(tokens) / Double(shards), cpus: cpus,
                                        fixedMinutes: 5 + Double(tokens) / 2e5 / 60))
        let merge = try TaskResources(terms: [
            ("runtime", runtimeBytes), ("statistics of two shards and the result", statistics.flatMap { CheckedSize.product([3, $0]) }),
            ("vocabulary", CheckedSize.product([config.dVocab, 64])),
        ], cpus: 1, minutes: Swift.max(10, shards / 4 + Int(Double(units) * Double(shards) / 2e6)))
        return (shard, merge)
    }

    /// A shard of `lens sweep`, and the merge.
    static func sweep(_ command: SweepCommand, shards: Int, cpus: Int) throws -> (shard: TaskResources, merge: TaskResources) {
        let folder = URL(fileURLWithPath: command.modelOptions.model)
        let config = try ModelConfig(modelFolder: folder)
        let dataset = try PromptDataset(jsonl: command.prompts)
        let longest = dataset.records.map { $0.clean.utf8.count / 2 + 2 }.max() ?? 1
        let tokens = dataset.records.reduce(0) { $0 + $1.clean.utf8.count / 3 + 2 }
        // Exact sweeps run about n_layers × positions × heads patched passes per pair (pattern sweeps × positions
        // more); attribution, three passes.
        let sweep = PatchSweep(named: command.act)!
        let patches = command.method == .attribution ? 3.0
            : Double(config.nLayers * Swift.max(1, config.nHeads)) * Double(longest)
                * (sweep == .headPatternDestSrcPos ? Double(longest) : 1) * (sweep.rawValue.hasSuffix("every") ? 5 : 1)
        let flops = 2 * Double(config.parameterCount ?? 0) * Double(tokens) * patches / Double(shards)
        let shard = try TaskResources(terms: [("runtime", runtimeBytes)] + weightTerms(config, folder: folder, processed: !command.modelOptions.noProcessing) + [
            ("activations of one pair, clean cache and gradients (×4)",
             config.activationBytes(batch: 1, length: longest, past: 0).flatMap { CheckedSize.product([4, $0]) }),
            ("a batch of stacked patches (PatchingOptions.maxBatchBytes)", PatchingOptions().maxBatchBytes),
            ("vocabulary", CheckedSize.product([config.dVocab, 64])),
        ], cpus: cpus, minutes: minutes(flops: flops, cpus: cpus))
        let resultBytes = CheckedSize.product([dataset.records.count, config.nLayers, Swift.max(config.nHeads, longest), 64])
        let merge = try TaskResources(terms: [("runtime", runtimeBytes), ("every pair's result, twice", resultBytes)],
                                      cpus: 1, minutes: 10)
        return (shard, merge)
    }

    static func fileSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
