import ArgumentParser
import Foundation
import Lens

/// `lens plan`: the memory a model will need, from its config and checkpoint headers, before loading it.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the memory plan of a model (weights, loading peak, one forward, a cache) without loading it.",
        discussion: """
            Reads config.json and the safetensors headers (no weight is read), checks every tensor against the \
            config, and prints the bytes the weights take under --weights, the loading peak, one forward pass at \
            --batch x --context and a cache (--cache all, or comma-separated hook names such as \
            hook_resid_post,attn.hook_pattern), against the memory available now. Exits with an error, saying \
            what would fit, when the plan does not fit.
            """)

    @Option(name: .long, help: "Hugging Face or TransformerLens model folder.")
    var model: String

    @Flag(name: .long, help: "Plan for unprocessed weights (like from_pretrained_no_processing).")
    var noProcessing = false

    @OptionGroup var weights: WeightsOption

    @Option(name: .long, help: "Batch size of the run.")
    var batch = 1

    @Option(name: .long, help: "Tokens per sequence of the run.")
    var context = 128

    @Option(name: .long, help: "Hooks to cache: none, all, or comma-separated names (matched as suffixes).")
    var cache = "none"

    func validate() throws {
        guard batch >= 1, context >= 1 else { throw ValidationError("--batch and --context must be at least 1") }
    }

    func run() throws {
        let selection: MemoryPlan.CacheSelection = switch cache {
        case "none": .none
        case "all": .all
        default: .hooks(cache.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        }
        let plan = try MemoryPlan(folder: URL(fileURLWithPath: model), processing: noProcessing ? .none : .default,
                                  precision: weights.precision, batch: batch, context: context, cache: selection)
        let budget = MemoryBudget.current
        print(plan)
        print("available now".padding(toLength: 52, withPad: " ", startingAt: 0) + " " + MemoryBudget.format(budget.availableBytes))
        try plan.check(budget: budget)
        print("fits")
    }
}
