import ArgumentParser
import Foundation
import Lens

/// `lens ablate`: knock out heads, layer outputs or hook points and measure the answer's metric.
struct AblateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ablate",
        abstract: "Zero- or mean-ablate heads or layer components and report the change in the answer's metric.",
        discussion: """
            The metric is logit(answer) - logit(wrong) at the last position (the answer's logit without \
            --wrong). Each target is ablated on its own: --head L.H (a head's hook_z at every position), \
            --layer L with --component (hook_attn_out / hook_mlp_out), --hook NAME (a whole activation). \
            Without a target every head and every layer's attention and MLP output is ablated in turn, and \
            --out writes the heads' metric changes, float32 [n_layers, n_heads]. Mean ablation replaces the \
            activation with its mean over the positions of the prompt and of any --reference prompts.

            Examples:
              lens ablate --model Models/demo \\
                --prompt "The Eiffel Tower is located in" --answer Paris --wrong Pisa
              lens ablate --model Models/demo --head 2.1 --head L3H0 \\
                --prompt "The Eiffel Tower is located in" --answer Paris --wrong Pisa \\
                --method mean --reference "Big Ben is located in"
              lens ablate --model Models/demo --layer 1 --component mlp --json \\
                --prompt "Big Ben is located in" --answer London
            """)

    /// Which sublayer `--layer` ablates.
    enum Component: String, ExpressibleByArgument, CaseIterable {
        case attn, mlp, both
    }

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var promptOptions: PromptOptions

    @Option(name: .long, help: "A head to ablate, as LAYER.HEAD or L<layer>H<head>, e.g. 1.2 or L1H2 (repeatable).")
    var head: [String] = []

    @Option(name: .long, help: "A layer whose --component to ablate (repeatable).")
    var layer: [Int] = []

    @Option(help: "With --layer: attn, mlp or both.")
    var component: Component = .both

    @Option(name: .long, help: "A hook point to ablate entirely, e.g. blocks.1.hook_resid_mid (repeatable).")
    var hook: [String] = []

    @Option(help: "zero or mean.")
    var method: AblationKind = .zero

    @Option(name: .long, help: "A reference prompt for --method mean (repeatable).")
    var reference: [String] = []

    @Option(help: "Targets to list, largest change first (when sweeping every component).")
    var top = 10

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Write the heads' metric changes [n_layers, n_heads] as float32 .npy (sweep only).")
    var out: String?

    var sweep: Bool { head.isEmpty && layer.isEmpty && hook.isEmpty }

    func validate() throws {
        if out != nil, !sweep { throw ValidationError("--out needs the full sweep (no --head, --layer or --hook)") }
        if !reference.isEmpty, method != .mean { throw ValidationError("--reference needs --method mean") }
        for text in head where AttentionHead(parsing: text) == nil {
            throw ValidationError("--head \(text): expected LAYER.HEAD or L<layer>H<head>, e.g. 1.2 or L1H2")
        }
    }

    func run() throws {
        let lens = try modelOptions.load()
        let config = lens.transformer.config
        let prompt = try lens.tokenize(promptOptions.promptCase())
        var targets = head.compactMap(AttentionHead.init(parsing:)).map(AblationTarget.head)
        for l in layer {
            if component != .mlp { targets.append(.attention(layer: l)) }
            if component != .attn { targets.append(.mlp(layer: l)) }
        }
        targets += hook.map(AblationTarget.hook)
        if sweep { targets = AblationTarget.everyComponent(of: config) }
        let references = try reference.map { try lens.toTokens($0).intScalars }
        let scan = try lens.ablationScan(prompt, targets: targets, kind: method, references: references)
        if let out {
            let changes = scan.effects.prefix(config.nLayers * config.nHeads).map(\.change)
            try writeNpy(Tensor(Array(changes), shape: [config.nLayers, config.nHeads]), to: out)
        }
        if json { return try printJSON(scan) }
        print("\(method.rawValue) ablation; \(prompt.metricName) = \(fixed(scan.baseline)) without ablation")
        let shown = sweep ? scan.largest(top) : scan.effects
        print(table(["ablated", "metric", "change"], shown.map { [$0.target, fixed($0.metric), fixed($0.change)] }))
    }
}

extension AblationKind: ExpressibleByArgument {}
