import ArgumentParser
import Foundation
import Lens

/// `lens cache`: runs a model on token ids and writes the activations at the named hook points as `.npy`.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Write TransformerLens activations (run_with_cache) for token ids as NAME.npy files.",
        discussion: "One float32 NAME.npy per hook point, in TransformerLens shapes with the batch axis first "
            + "(masked attention scores are -inf, as in TransformerLens). Unknown names are refused before the "
            + "model runs, with the closest valid names. Optional hook points (attn.hook_result, hook_q_input, "
            + "hook_k_input, hook_v_input, hook_attn_in, hook_mlp_in) are switched on when named.")

    @Option(name: .long, help: "Hugging Face model folder (config.json and model.safetensors).")
    var model: String

    @Option(name: .long, help: "Token ids: comma-separated, rows separated by ';' (e.g. 1,2,3;4,5,6).")
    var tokens: String

    @Option(name: .long, help: "Comma-separated hook names (default: every hook point of the model).")
    var names: String?

    @Option(name: .long, help: "Output folder (created if missing).")
    var out: String

    @Flag(name: .long, help: "Skip TransformerLens weight processing (like from_pretrained_no_processing).")
    var noProcessing = false

    @OptionGroup var weights: WeightsOption

    /// Timing for Benchmarks/: time a plain forward and the cached run this many times each and print the
    /// best times, the cached bytes and the peak resident memory as JSON (no files are written).
    @Option(name: .customLong("benchmark-repeats"), help: .hidden)
    var benchmarkRepeats: Int?

    func validate() throws {
        if let benchmarkRepeats, benchmarkRepeats < 1 { throw ValidationError("--benchmark-repeats must be at least 1.") }
    }

    func run() throws {
        let rows = try TokenRows.parse(tokens)
        let requested = names.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        var transformer = try HookedTransformer(pretrained: URL(fileURLWithPath: model),
                                                processing: noProcessing ? .none : .default,
                                                precision: weights.precision)
        for name in requested ?? [] {
            switch name.split(separator: ".").last {
            case "hook_result": transformer.setUseAttnResult(true)
            case "hook_q_input", "hook_k_input", "hook_v_input": transformer.setUseSplitQKVInput(true)
            case "hook_attn_in": try transformer.setUseAttnIn(true)
            case "hook_mlp_in": transformer.setUseHookMLPIn(true)
            default: break
            }
        }
        let selection: HookNames = requested.map { .names($0) } ?? .all
        if let benchmarkRepeats {
            return print(try Self.benchmark(transformer, rows, selection, repeats: benchmarkRepeats))
        }
        let (_, cache) = try transformer.runWithCache(rows.tokens, names: selection, attentionMask: rows.mask)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (name, activation) in cache {
            try activation.converted(to: .float32).writeNpy(to: URL(fileURLWithPath: out).appendingPathComponent(name + ".npy").path)
        }
    }

    /// Timings for Benchmarks/ as JSON: the best wall and process-CPU seconds of `repeats` plain forwards,
    /// forwards with an observing hook at every hook point, and cached runs (interleaved, so all see the same
    /// machine load); the bytes the cache holds (each storage counted once) and the peak resident memory.
    static func benchmark(_ model: HookedTransformer, _ rows: TokenRows, _ names: HookNames, repeats: Int) throws -> String {
        let observe: [(HookTarget, HookFunction)] = [(.filter { _ in true }, { _, _ in nil })]
        var bytes = 0, count = 0
        let runs: [(String, () throws -> Void)] = [
            ("forward", { _ = try model.forward(tokens: rows.tokens, attentionMask: rows.mask) }),
            ("observed", { _ = try model.runWithHooks(rows.tokens, hooks: observe, attentionMask: rows.mask) }),
            ("cache", {
                let (_, cache) = try model.runWithCache(rows.tokens, names: names, attentionMask: rows.mask)
                var seen = Set<ObjectIdentifier>()
                (bytes, count) = (0, cache.count)
                for (_, activation) in cache where seen.insert(ObjectIdentifier(activation.storage)).inserted {
                    bytes += activation.storage.count * activation.dtype.byteCount
                }
            }),
        ]
        var wall = [Double](repeating: .infinity, count: runs.count), cpu = wall
        for _ in 0..<repeats {
            for (i, run) in runs.enumerated() {
                let (w, c) = (DispatchTime.now().uptimeNanoseconds, cpuSeconds())
                try run.1()
                wall[i] = min(wall[i], Double(DispatchTime.now().uptimeNanoseconds - w) / 1e9)
                cpu[i] = min(cpu[i], cpuSeconds() - c)
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let times = runs.indices.map { "\"\(runs[$0].0)_seconds\": \(wall[$0]), \"\(runs[$0].0)_cpu_seconds\": \(cpu[$0])" }
        return "{" + times.joined(separator: ", ") + ", \"cached_activations\": \(count), \"cache_bytes\": \(bytes), "
            + "\"max_rss_bytes\": \(usage.ru_maxrss * 1024)}"
    }

    /// CPU time of the whole process (all threads) in seconds.
    private static func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
