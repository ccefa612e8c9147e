import ArgumentParser
import Lens

/// The `lens` command-line tool: interpretability analyses over SwiftLens.
@main
struct LensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lens",
        abstract: "Mechanistic interpretability of transformer language models, from the command line.",
        subcommands: [DemoCommand.self, PredictCommand.self, LogitLensCommand.self, AttributeCommand.self,
                      PatchCommand.self, AttribPatchCommand.self, GradCommand.self, CircuitCommand.self,
                      AblateCommand.self, AttentionCommand.self, HeadsCommand.self, ReportCommand.self,
                      TokenizeCommand.self, LogitsCommand.self, GenerateCommand.self, CacheCommand.self,
                      ScanCommand.self, DashboardCommand.self, ServeCommand.self,
                      SweepCommand.self, MergeCommand.self, CompareCommand.self, SlurmCommand.self,
                      OthelloCommand.self, PlanCommand.self]
    )
}
