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

    /// The most prompt pairs, and the largest induction batch and half-length, a prompts file may ask for: the
    /// work and memory of `lens demo` grow with them (the forward pass also checks its memory budget).
    public static let maximumPairs = 10_000, maximumBatch = 1024, maximumLength = 1 << 16

    /// Reads a prompts file. Throws `WorkflowError.badFile` naming the file and the missing or malformed field.
    public init(contentsOf url: URL) throws {
        func bad(_ reason: String) -> WorkflowError { .badFile(path: url.path, reason: reason) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw bad("cannot be read (\(error.localizedDescription))")
        }
        let root: JSONValue
        do { root = try JSONValue.parse(Array(data)) } catch { throw bad("is not valid JSON (\(error))") }
        func field(_ value: JSONValue?, _ path: String) throws -> JSONValue {
            guard let value, !value.isNull else { throw bad("missing field \(path)") }
            return value
        }
        func string(_ value: JSONValue?, _ path: String) throws -> String {
            guard case .string(let s) = try field(value, path) else { throw bad("field \(path) has the wrong type") }
            return s
        }
        func integer(_ value: JSONValue?, _ path: String, _ range: ClosedRange<Int>) throws -> Int {
            guard let n = try field(value, path).integerValue else { throw bad("field \(path) has the wrong type") }
            guard range.contains(n) else { throw bad("field \(path) is \(n), outside \(range.lowerBound)...\(range.upperBound)") }
            return n
        }
        guard case .bool(let prependBOS) = try field(root["prepend_bos"], "prepend_bos") else {
            throw bad("field prepend_bos has the wrong type")
        }
        guard case .array(let pairs) = try field(root["pairs"], "pairs") else { throw bad("field pairs has the wrong type") }
        guard !pairs.isEmpty else { throw bad("\"pairs\" is empty") }
        guard pairs.count <= Self.maximumPairs else { throw bad("\"pairs\" has \(pairs.count) entries, over \(Self.maximumPairs)") }
        cases = try pairs.enumerated().map { i, pair in
            func text(_ key: String) throws -> String { try string(pair[key], "pairs[\(i)].\(key)") }
            return PromptCase(task: try text("task"), prompt: try text("clean"), answer: try text("answer"),
                              wrong: try text("wrong"), corrupted: try text("corrupted"))
        }
        let setup = try field(root["induction"], "induction")
        induction = Induction(length: try integer(setup["seq_len"], "induction.seq_len", 2...Self.maximumLength),
                              batch: try integer(setup["batch"], "induction.batch", 1...Self.maximumBatch),
                              seed: UInt64(try integer(setup["seed"], "induction.seed", 0...Int.max)))
        self.prependBOS = prependBOS
    }
}
