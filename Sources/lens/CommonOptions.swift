import ArgumentParser
import Foundation
import Lens

/// `--model DIR`, `--no-processing` and `--weights`, shared by the analysis commands.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Hugging Face model folder (config.json, model.safetensors, tokenizer.json).")
    var model: String

    @Flag(name: .long, help: "Skip TransformerLens weight processing (like from_pretrained_no_processing).")
    var noProcessing = false

    @OptionGroup var weights: WeightsOption

    /// The model with its tokenizer; a missing folder, `config.json` or `tokenizer.json` is a `CommandError`.
    func load() throws -> LensModel {
        try loadModel(folder: URL(fileURLWithPath: model), processing: noProcessing ? .none : .default,
                      precision: weights.precision)
    }
}

/// `--weights auto|stored|fp32`: the element type the loaded weights are kept in (`WeightPrecision`), accepted by
/// every command that loads a model.
struct WeightsOption: ParsableArguments {
    @Option(name: .customLong("weights"), help: ArgumentHelp(
        "Weights in memory: stored (the checkpoint's dtype, memory-mapped; processed weights rounded back to it), "
            + "fp32 (widened at load, processed in fp32), or auto (stored without processing, fp32 with it).",
        valueName: "auto|stored|fp32"))
    var precision: WeightPrecision = .automatic
}

extension WeightPrecision: ExpressibleByArgument {}

/// Loads `folder` after checking that it is a model folder with a tokenizer.
func loadModel(folder: URL, processing: WeightProcessing = .default,
               precision: WeightPrecision = .automatic) throws -> LensModel {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CommandError("no model folder at \(folder.path) (expected a Hugging Face folder with config.json, "
                           + "model.safetensors and tokenizer.json)")
    }
    for file in ["config.json", "tokenizer.json"]
    where !FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path) {
        throw CommandError("the model folder \(folder.path) has no \(file)")
    }
    return try LensModel(pretrained: folder, processing: processing, precision: precision)
}

/// `--prompt`, `--answer`, `--wrong` and `--no-prepend-space`.
struct PromptOptions: ParsableArguments {
    @Option(name: .long, help: "The prompt text (BOS is prepended).")
    var prompt: String

    @Option(name: .long, help: "The expected next token (one token; a space is put in front unless it has one).")
    var answer: String

    @Option(name: .long, help: "A wrong next token to compare with: the metric becomes logit(answer) - logit(wrong).")
    var wrong: String?

    @Flag(name: .customLong("no-prepend-space"), help: "Use --answer and --wrong exactly as given.")
    var noPrependSpace = false

    /// The case, with spaces put in front of the answers unless `--no-prepend-space`.
    func promptCase(corrupted: String? = nil) -> PromptCase {
        func spaced(_ text: String) -> String { noPrependSpace || text.hasPrefix(" ") ? text : " " + text }
        return PromptCase(prompt: prompt, answer: spaced(answer), wrong: wrong.map(spaced), corrupted: corrupted)
    }
}

/// A failure reported to the user as `Error: message` (no usage text).
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Prints `value` as one line of JSON with sorted keys on standard output (non-finite numbers as the strings
/// "NaN", "Infinity", "-Infinity"); pipe it through `jq .` to read it.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity",
                                                                  nan: "NaN")
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Writes `tensor` as float32 `.npy` to `path` and says so on standard error.
func writeNpy(_ tensor: Tensor, to path: String) throws {
    try tensor.converted(to: .float32).writeNpy(to: path)
    FileHandle.standardError.write(Data("wrote \(path) \(tensor.shape)\n".utf8))
}

/// `[[Float]]` rows as a 2-d tensor.
func tensor(_ rows: [[Float]]) -> Tensor {
    Tensor(rows.flatMap { $0 }, shape: [rows.count, rows.first?.count ?? 0])
}

/// A fixed-width table: columns padded to their widest cell, numbers right-aligned.
func table(_ headers: [String], _ rows: [[String]]) -> String {
    let widths = headers.indices.map { c in ([headers[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { c, cell in
            let pad = String(repeating: " ", count: widths[c] - cell.count)
            return Double(cell.replacingOccurrences(of: "−", with: "-")) != nil ? pad + cell : cell + pad
        }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
    return ([line(headers)] + rows.map(line)).joined(separator: "\n")
}

/// `' Paris'`: a token in quotes with its spaces visible.
func show(_ token: String) -> String { "'\(token)'" }

/// `x` with `digits` decimals.
func fixed(_ x: Float, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", Double(x)) }
