import ArgumentParser
import Lens

/// The `lens` command-line tool: interpretability analyses over SwiftLens.
@main
struct LensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lens",
        abstract: "Mechanistic interpretability of transformer language models, from the command line.",
        subcommands: [TokenizeCommand.self, LogitsCommand.self, GenerateCommand.self, CacheCommand.self, PredictCommand.self]
    )
}
