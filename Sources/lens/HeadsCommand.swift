import ArgumentParser
import Foundation
import Lens

/// `lens heads`: the head detector on repeated random tokens.
struct HeadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heads",
        abstract: "Score every head as a previous-token, duplicate-token and induction head.",
        discussion: """
            Runs --batch sequences of BOS + --length random tokens written twice and scores every head with \
            TransformerLens's detect_head (mul measure: the share of a head's attention on the expected \
            source tokens, averaged over the sequences) and with the induction stripe (the mean attention \
            from each token of the repeat to the token after its first occurrence). Prints the next-token \
            loss on each half and the top heads of each kind. --out writes float32 [4, n_layers, n_heads]: \
            induction stripe, previous-token, duplicate-token, induction (detect_head).

            Examples:
              lens heads --model Models/demo
              lens heads --model Models/demo --length 30 --batch 5 --top 3 --json
              lens heads --model Models/demo --out head-scores.npy
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "Random tokens in each half.")
    var length = 50

    @Option(help: "Number of sequences.")
    var batch = 10

    @Option(help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "Heads to list for each kind.")
    var top = 5

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    @Option(help: "Write the scores [4, n_layers, n_heads] as float32 .npy.")
    var out: String?

    func validate() throws {
        guard length >= 2, batch >= 1 else { throw ValidationError("--length must be at least 2 and --batch at least 1") }
        guard top >= 0 else { throw ValidationError("--top must not be negative") }
    }

    func run() throws {
        let lens = try modelOptions.load()
        let scan = try lens.transformer.headScan(length: length, batch: batch, seed: seed, bos: lens.tokenizer?.bosTokenId)
        let kinds = [("induction (stripe)", scan.inductionStripe), ("previous token", scan.previousToken),
                     ("duplicate token", scan.duplicateToken), ("induction (detect_head)", scan.induction)]
        if let out { try writeNpy(Tensor.stack(kinds.map { tensor($0.1) }, axis: 0), to: out) }
        if json { return try printJSON(scan) }
        print("\(batch) × (BOS + \(length) random tokens × 2): next-token loss \(fixed(scan.lossFirstHalf)) on the first "
              + "half, \(fixed(scan.lossSecondHalf)) on the repeat (top-1 accuracy \(fixed(scan.accuracySecondHalf)))")
        let ranked = kinds.map { name, scores in (name, AttentionHead.top(top, of: scores).map { ($0, scores[$0.layer][$0.head]) }) }
        let rows = (0..<top).map { i in
            [String(i + 1)] + ranked.map { _, heads in i < heads.count ? "\(heads[i].0) \(fixed(heads[i].1, 3))" : "" }
        }
        print(table(["#"] + kinds.map(\.0), rows))
    }
}
