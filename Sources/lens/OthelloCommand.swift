import ArgumentParser
import Foundation
import Lens

/// `lens othello`: the Othello-GPT tutorial on an Othello-GPT folder.
struct OthelloCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "othello",
        abstract: "Probe an Othello-GPT: board probes per layer, the circuits that write them, neurons, patching.",
        discussion: """
            Runs the Othello-GPT tutorial on random legal games: the share of positions where the top \
            prediction is a legal move; a linear probe of the board (blank / theirs / mine relative to the \
            player to move) on every layer's resid_post; at one focus position the attention and MLP \
            contributions to the probe directions; the neurons of one layer with the largest standard deviation \
            and kurtosis, read through the probe directions and the unembedding; and patching of attn_out and \
            mlp_out at the final move. Prints a summary and writes an HTML report.

            The model is a TransformerLens-format folder (config.json with HookedTransformerConfig fields and \
            model.pth or model.safetensors), by default the small Othello-GPT in Models/othello.

            Examples:
              swift run -c release lens othello
              lens othello --logistic --out /tmp/othello.html
              lens othello --model ~/othello-gpt --train-games 500 --neuron-layer 5 --json
            """)

    @Option(help: "Othello-GPT folder (default: Models/othello).")
    var model: String?

    @Option(help: "Random games the probes are fitted on.")
    var trainGames = 200

    @Option(help: "Random games the probes are scored on (and the neurons ranked on).")
    var testGames = 100

    @Option(help: "Seed of the random games.")
    var seed: UInt64 = 1

    @Flag(help: "Fit logistic-regression probes (one per square, slower) instead of least squares.")
    var logistic = false

    @Option(help: "Focus test game.")
    var game = 0

    @Option(help: "Focus move (1...58): contributions are read there and the game is cut after it for patching.")
    var move = 20

    @Option(help: "Layer whose neurons are ranked (default: the middle layer).")
    var neuronLayer: Int?

    @Option(help: "The HTML report to write.")
    var out = "lens-othello-report.html"

    @Flag(help: "Print the findings as JSON instead of the summary.")
    var json = false

    func run() throws {
        let folder = try model.map { URL(fileURLWithPath: $0) } ?? OthelloGPT.folder()
        let lens = try OthelloGPT.load(folder)
        let options = OthelloStudy.Options(trainGames: trainGames, testGames: testGames, seed: seed,
                                           method: logistic ? .logistic() : .leastSquares, focusGame: game,
                                           focusMove: move, neuronLayer: neuronLayer)
        let study = try lens.othelloStudy(options)
        try study.report().write(toPath: out)
        if json { return try printJSON(study) }
        print(study.summary)
        print("\nReport: \(URL(fileURLWithPath: out).standardizedFileURL.path)")
    }
}
