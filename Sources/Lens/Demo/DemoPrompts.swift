import Foundation

/// The demo prompts shipped with the demo model (`Models/demo/prompts.json`): clean/corrupted prompt pairs
/// of equal token length with an answer and a wrong answer, and the repeated-random-token setup.
public struct DemoPrompts: Sendable, Equatable {
    /// The repeated random token setup of the induction analysis.
    public struct Induction: Sendable, Equatable {
        /// Length of each random half.
        public var length: Int
        /// Number of sequences.
        public var batch: Int
        /// Random seed.
        public var seed: UInt64
    }

    /// Whether prompts start with BOS.
    public var prependBOS: Bool
    /// The prompt pairs, in file order.
    public var cases: [PromptCase]
    /// The induction setup.
    public var induction: Induction

    /// The tasks in order of first appearance.
    public var tasks: [String] {
        var seen = Set<String>()
        return cases.map(\.task).filter { seen.insert($0).inserted }
    }

    /// Reads a prompts file. Throws `WorkflowError.badFile` naming the file and the missing or malformed field.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw WorkflowError.badFile(path: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        let file: PromptsFile
        do { file = try JSONDecoder().decode(PromptsFile.self, from: data) } catch let error as DecodingError {
            throw WorkflowError.badFile(path: url.path, reason: Self.explain(error))
        } catch {
            throw WorkflowError.badFile(path: url.path, reason: "is not valid JSON")
        }
        guard !file.pairs.isEmpty else { throw WorkflowError.badFile(path: url.path, reason: "\"pairs\" is empty") }
        guard file.induction.seq_len > 1, file.induction.batch > 0, file.induction.seed >= 0 else {
            throw WorkflowError.badFile(path: url.path, reason: "\"induction\" needs seq_len ≥ 2, batch ≥ 1, seed ≥ 0")
        }
        prependBOS = file.prepend_bos
        cases = file.pairs.map {
            PromptCase(task: $0.task, prompt: $0.clean, answer: $0.answer, wrong: $0.wrong, corrupted: $0.corrupted)
        }
        induction = Induction(length: file.induction.seq_len, batch: file.induction.batch, seed: UInt64(file.induction.seed))
    }

    /// A one-line reason naming the JSON field (`pairs[2].answer`).
    private static func explain(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
        }
        switch error {
        case let .keyNotFound(key, context): return "missing field \(path(context.codingPath + [key]))"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "field \(path(context.codingPath)) has the wrong type"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "is not valid JSON" : "field \(path(context.codingPath)) is malformed"
        @unknown default: return "cannot be decoded"
        }
    }

    /// The file layout (snake_case as written by the training script).
    private struct PromptsFile: Decodable {
        struct Pair: Decodable {
            let task: String, clean: String, corrupted: String, answer: String, wrong: String
        }
        struct InductionSetup: Decodable {
            let seq_len: Int, batch: Int, seed: Int
        }
        let prepend_bos: Bool
        let pairs: [Pair]
        let induction: InductionSetup
    }
}
