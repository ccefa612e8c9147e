import ArgumentParser
import Foundation
import Lens
import LensStore

/// `lens scan`: statistics and examples of neurons, SAE features, heads or directions over a corpus, into SQLite.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan a corpus: per unit frequency, mean, max, histogram, top contexts and logit effects, into SQLite.",
        discussion: """
            Cuts the corpus into contexts (BOS first, documents joined by EOS), runs the model over them in batches \
            (only up to the last layer the units need) and records, for every unit: how often it fires (activation \
            above --threshold), its mean and max, a log-spaced histogram, its top contexts with a window of tokens \
            around the maximum, sampled examples of each activation band and, for neurons and SAE features, the \
            tokens its output direction boosts and suppresses through W_U.

            Results go to an SQLite database (--db), saved every few seconds in one transaction: a scan stopped at \
            any moment (Ctrl-C, a kill, a crash) continues where it stopped when run again with the same arguments, \
            with nothing lost or counted twice. A database from another model, corpus or configuration is refused. \
            Query it with sqlite3 (docs/SCAN_DATABASE.md), or browse it with `lens dashboard` / `lens serve`. \
            With --shard I/N (or in a Slurm array task) the scan covers the I-th of N contiguous parts of the corpus; \
            `lens merge` combines the parts into exactly the database of one whole scan (`lens slurm` submits both).

            Corpus formats: text, one document per line (default) or one per file (--format files); JSONL with a \
            text field (--text-field); pre-tokenized [N, ctx] integer arrays (.npy or .safetensors), one context \
            per row. Empty documents and invalid UTF-8 are counted and skipped.

            Examples:
              lens scan --model Models/demo --corpus Models/demo/corpus.txt --neurons 1 \\
                  --sae Models/demo/sae/blocks.1.hook_resid_post --db demo-scan.sqlite
              lens scan --model gpt2 --corpus data/ --format jsonl --heads 0,1,2 --db heads.sqlite
              lens scan ... --shard 2/4 --db part-2.sqlite    then    lens merge --out all.sqlite part-*.sqlite
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, parsing: .upToNextOption, help: "Corpus files or folders (folders: every file, sorted).")
    var corpus: [String]

    @Option(name: .long, help: "Corpus format: lines, files, jsonl, tokens (default: from the first file's extension).")
    var format: Corpus.Format?

    @Option(name: .long, help: "The JSONL field holding the text.")
    var textField = "text"

    @Option(name: .long, help: "The SQLite database to write (resumed when it holds this scan).")
    var db: String

    @Option(name: .long, help: "Comma-separated layers whose MLP neurons (mlp.hook_post) to scan.")
    var neurons: String?

    @Option(name: .long, help: "An SAELens SAE folder (cfg.json, sae_weights.safetensors) whose features to scan; repeatable.")
    var sae: [String] = []

    @Option(name: .long, help: "Comma-separated layers whose attention heads to scan (norm of each head's output).")
    var heads: String?

    @Option(name: .long, help: "A .npy file of directions [n, width] to scan as x · direction, at --directions-hook.")
    var directions: String?

    @Option(name: .long, help: "The hook the directions read, e.g. blocks.1.hook_resid_post.")
    var directionsHook: String?

    @Option(name: .long, help: "Tokens per context, BOS included (default: 128 or the model's n_ctx if smaller).")
    var contextLength: Int?

    @Option(name: .long, help: "Contexts per forward pass.")
    var batchSize = 8

    @Option(name: .long, help: "Top contexts kept per unit.")
    var topK = 20

    @Option(name: .long, help: "Tokens shown before an example's maximum.")
    var windowBefore = 16

    @Option(name: .long, help: "Tokens shown after an example's maximum.")
    var windowAfter = 8

    @Option(name: .long, help: "A unit fires where its activation is above this.")
    var threshold: Float = 0

    @Option(name: .long, help: "Random examples kept per activation band (octave) and unit.")
    var samplesPerBand = 2

    @Option(name: .long, help: "Seed of the example sampling.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Tokens listed per sign in each unit's logit effects (0: none).")
    var logitEffects = 10

    @Option(name: .long, help: "Seconds between saves (at least nine times the last save's duration).")
    var checkpointSeconds = 5.0

    @Option(name: .long, help: "Stop after this many batches (saved); run again to continue.")
    var maxBatches: Int?

    @OptionGroup var shardOptions: ShardOptions

    @Flag(name: .long, help: "No progress bar.")
    var noProgress = false

    /// For Benchmarks/: print tokens, seconds and peak resident memory as JSON at the end.
    @Flag(name: .customLong("benchmark-json"), help: .hidden)
    var benchmarkJSON = false

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let folder = URL(fileURLWithPath: modelOptions.model)
        let corpus = try Corpus(paths: corpus, format: format, textField: textField)
        // A pre-tokenized corpus needs no tokenizer (the dashboard then shows token ids).
        let tokenizerless = corpus.format == .tokens
            && !FileManager.default.fileExists(atPath: folder.appendingPathComponent("tokenizer.json").path)
        let model = tokenizerless ? try LensModel(pretrained: folder, processing: modelOptions.noProcessing ? .none : .default,
                                                                    precision: modelOptions.weights.precision)
            : try modelOptions.load()
        let units = try unitSets(model)
        guard !units.isEmpty else {
            throw CommandError("choose units to scan: --neurons LAYERS, --sae FOLDER, --heads LAYERS or --directions FILE")
        }
        let length = contextLength ?? min(128, model.config.nCtx)
        let options = ScanOptions(batchSize: batchSize, topK: topK, windowBefore: windowBefore, windowAfter: windowAfter,
                                  threshold: threshold, samplesPerBand: samplesPerBand, seed: seed,
                                  logitEffects: logitEffects)
        let scan = CorpusScan(units: units, options: options,
                              packing: PackingOptions(contextLength: length, tokenizer: model.tokenizer))
        let database = try ScanDatabase(path: db)
        let before = try? database.progress()
        let result = try scan.run(model: model, corpus: corpus, modelName: folder.lastPathComponent, store: database,
                                  shard: try shardOptions.resolve(command: "scan"), checkpointSeconds: checkpointSeconds,
                                  maxBatches: maxBatches, showProgress: !noProgress)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let tokens = (result.statistics.first?.tokens ?? 0) - (before?.tokens ?? 0)
        if benchmarkJSON {
            return print("{\"tokens\": \(tokens), \"seconds\": \(seconds), \"scan_seconds\": \(result.seconds), "
                         + "\"scan_cpu_seconds\": \(result.cpuSeconds), "
                         + "\"peak_rss_bytes\": \(peakResidentBytes())}")
        }
        if let before, before.contexts > 0, !before.finished {
            print("Resumed from \(db) after \(before.contexts) contexts (\(before.tokens) tokens) saved by an earlier run")
        }
        print(summary(result, tokensRun: tokens, seconds: seconds))
    }

    /// The unit sets the options ask for.
    func unitSets(_ model: LensModel) throws -> [any ScanUnits] {
        var units: [any ScanUnits] = []
        for layer in try layers(neurons, "--neurons") { units.append(try NeuronUnits(layer: layer, model: model.transformer)) }
        for folder in sae {
            let loaded = try SparseAutoencoder(folder: URL(fileURLWithPath: folder))
            units.append(try SAEFeatureUnits(sae: loaded))
        }
        if heads != nil { units.append(try HeadUnits(layers: try layers(heads, "--heads"), model: model.transformer)) }
        if let directions {
            guard let directionsHook else { throw CommandError("--directions needs --directions-hook") }
            units.append(try DirectionUnits(hook: directionsHook, directions: try Tensor(npyContentsOf: directions)))
        }
        return units
    }

    /// Comma-separated layer numbers.
    func layers(_ text: String?, _ option: String) throws -> [Int] {
        guard let text else { return [] }
        return try text.split(separator: ",").map {
            guard let layer = Int($0.trimmingCharacters(in: .whitespaces)) else { throw CommandError("\(option): '\($0)' is not a layer number") }
            return layer
        }
    }

    /// What was scanned and where the results are.
    func summary(_ result: ScanResult, tokensRun: Int, seconds: Double) -> String {
        let c = result.checkpoint
        let part = result.header.shard.map { "Shard \($0) of the scan" } ?? "Scan"
        var lines = [c.finished ? "\(part) complete: \(c.contexts) contexts (\(result.statistics.first?.tokens ?? 0) tokens)"
                                : "\(part) stopped after \(c.contexts) contexts; run the same command again to continue",
                     "  this run: \(tokensRun) tokens in \(fixed(Float(seconds), 1)) s (\(Int(Double(tokensRun) / max(seconds, 1e-9))) tokens/s)"]
        if let report = c.report { lines += report.lines.map { "  " + $0 } }
        for (s, set) in result.header.unitSets.enumerated() {
            let top = result.summaries(set: s).sorted { $0.frequency > $1.frequency }.prefix(3)
            lines.append("  \(set.name): \(set.count) units; most frequent "
                         + top.map { "\($0.label) \(fixed(Float($0.frequency * 100), 1))%" }.joined(separator: ", "))
        }
        lines.append("Database: \(URL(fileURLWithPath: db).standardizedFileURL.path)")
        lines.append("Browse: lens dashboard --db \(db) --out dashboard.html   or   lens serve --db \(db)")
        return lines.joined(separator: "\n")
    }
}

extension Corpus.Format: ExpressibleByArgument {}

/// Peak resident set size of this process in bytes (`VmHWM` from /proc/self/status), 0 when unknown.
func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb * 1024
}
