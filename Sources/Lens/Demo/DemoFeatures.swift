import Foundation

/// The demo SAE in `lens demo`: which of its features are most active at the end of each demo prompt, their
/// dashboards from a scan of the demo corpus, and steering with one feature.
public struct DemoFeatures: Sendable, Encodable {
    /// A feature and its activation.
    public struct Activation: Sendable, Encodable {
        /// Feature index.
        public let feature: Int
        /// Activation.
        public let value: Float
    }

    /// The most active features at a prompt's last token.
    public struct PromptFeatures: Sendable, Encodable {
        /// The prompt.
        public let prompt: String
        /// Its last token.
        public let lastToken: String
        /// Up to three features, most active first.
        public let top: [Activation]
    }

    /// Greedy continuations of a prompt without and with a feature's decoder direction added at the SAE's hook.
    public struct Steering: Sendable, Encodable {
        /// The prompt.
        public let prompt: String
        /// The feature and its multiplier.
        public let feature: Int, scale: Float
        /// The continuations.
        public let plain: String, steered: String
    }

    /// The SAE folder's name (its hook) and width.
    public let hook: String, features: Int
    /// Per demo prompt.
    public let prompts: [PromptFeatures]
    /// Contexts and tokens of the corpus scan.
    public let contexts: Int, tokens: Int
    /// The shown features' summaries, in order.
    public let summaries: [UnitSummary]
    /// Their dashboard cards.
    public let cards: [UnitCard]
    /// Token texts for the cards.
    public let vocabulary: [String]
    /// The steering example (from `steering.json` in the SAE folder).
    public let steering: Steering?

    enum CodingKeys: String, CodingKey { case hook, features, prompts, contexts, tokens, summaries, steering }
}

/// Where `lens demo` finds its SAE and the corpus it scans for the SAE's dashboards.
public struct DemoFeatureSetup: Sendable {
    /// The SAELens folder.
    public var saeFolder: URL
    /// The text corpus, one document per line.
    public var corpus: URL
    /// Scan at most this many batches of 16 contexts (nil: the whole corpus).
    public var maxBatches: Int?

    /// A setup from explicit places.
    public init(saeFolder: URL, corpus: URL, maxBatches: Int? = nil) {
        (self.saeFolder, self.corpus, self.maxBatches) = (saeFolder, corpus, maxBatches)
    }

    /// `sae/blocks.1.hook_resid_post` and `corpus.txt` of a model folder, or nil when it has no SAE there.
    public static func standard(modelFolder: URL) -> DemoFeatureSetup? {
        let sae = modelFolder.appendingPathComponent("sae/blocks.1.hook_resid_post")
        let corpus = modelFolder.appendingPathComponent("corpus.txt")
        let manager = FileManager.default
        guard manager.fileExists(atPath: sae.appendingPathComponent("cfg.json").path), manager.fileExists(atPath: corpus.path) else {
            return nil
        }
        return DemoFeatureSetup(saeFolder: sae, corpus: corpus)
    }
}

extension LensModel {
    /// Runs the demo SAE of `saeFolder` (SAELens format): its top features at the end of each prompt, a scan of
    /// `corpus` (64-token contexts; `maxBatches` of 16 contexts at most) for their cards, and the steering example
    /// of the folder's `steering.json` (`prompt`, `feature`, `scale`, `new_tokens`) when present.
    public func demoFeatures(saeFolder: URL, corpus: URL, prompts: [String], maxBatches: Int? = nil) throws -> DemoFeatures {
        let sae = try SparseAutoencoder(folder: saeFolder)
        let units = try SAEFeatureUnits(sae: sae)
        let hook = units.hook
        let text: (Int) -> String = { [tokenizer] in tokenizer?.toString([$0]) ?? String($0) }
        var perPrompt: [DemoFeatures.PromptFeatures] = []
        for prompt in prompts {
            let tokens = try toTokens(prompt)
            let (_, cache) = try runWithCache(tokens, names: .names([hook]))
            let acts = try sae.encode(try cache[hook][0, -1])
            let top = try sae.activeFeatures(acts, limit: 3).map { DemoFeatures.Activation(feature: $0.feature, value: $0.value) }
            perPrompt.append(.init(prompt: prompt, lastToken: text(tokens.intScalars.last ?? 0), top: top))
        }
        var shown: [Int] = []
        for entry in perPrompt { if let f = entry.top.first?.feature, !shown.contains(f), shown.count < 6 { shown.append(f) } }
        let scan = CorpusScan(units: [units], options: ScanOptions(batchSize: 16, topK: 6, windowBefore: 12, windowAfter: 4),
                              packing: PackingOptions(contextLength: 64, tokenizer: tokenizer))
        let result = try scan.run(model: self, corpus: Corpus(paths: [corpus.path]), modelName: "demo", maxBatches: maxBatches)
        let steering = try demoSteering(sae: sae, file: saeFolder.appendingPathComponent("steering.json"))
        return DemoFeatures(hook: hook, features: sae.config.dSAE, prompts: perPrompt, contexts: result.checkpoint.contexts,
                            tokens: result.statistics[0].tokens, summaries: shown.map { result.summaries(set: 0)[$0] },
                            cards: shown.map { result.card(set: 0, unit: $0) }, vocabulary: result.description.vocabulary,
                            steering: steering)
    }

    /// The steering example described by `file`, or nil when there is none.
    func demoSteering(sae: SparseAutoencoder, file: URL) throws -> DemoFeatures.Steering? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        struct Spec: Decodable { let prompt: String, feature: Int, scale: Float, new_tokens: Int }
        let spec: Spec
        do { spec = try JSONDecoder().decode(Spec.self, from: Data(contentsOf: file)) } catch {
            throw WorkflowError.badFile(path: file.path, reason: "needs prompt, feature, scale and new_tokens (\(error))")
        }
        let ids = try toTokens(spec.prompt).intScalars
        let options = GenerationOptions(maxNewTokens: spec.new_tokens, sampling: .greedy, stopAtEOS: false)
        let vector = try sae.steering(feature: spec.feature, scale: spec.scale)
        let plain = try transformer.generate([ids], steering: [], options: options)[0]
        let steered = try transformer.generate([ids], steering: [vector], options: options)[0]
        return .init(prompt: spec.prompt, feature: spec.feature, scale: spec.scale,
                     plain: try toString(Array(plain.dropFirst(ids.count))), steered: try toString(Array(steered.dropFirst(ids.count))))
    }
}

extension DemoFeatures {
    /// The lines `lens demo` prints.
    public var summaryLines: [String] {
        var lines = ["SAE features (\(features) features at \(hook); dashboards from \(contexts) contexts, \(tokens) tokens)"]
        let width = prompts.map(\.prompt.count).max() ?? 0
        for p in prompts {
            lines.append("  \(p.prompt.padding(toLength: width, withPad: " ", startingAt: 0))  "
                         + (p.top.isEmpty ? "no active feature" : p.top.map { "F\($0.feature) \(fmt($0.value, 2))" }.joined(separator: ", ")))
        }
        for (summary, card) in zip(summaries, cards) {
            let boosts = card.logitEffects?.boosted.prefix(3).map { quoted(TokenDisplay.decoded(vocabulary[$0.token])) }
                .joined(separator: " ") ?? ""
            let context = card.top.first.map { ex in
                ex.tokens.enumerated().map { k, t in
                    let piece = TokenDisplay.decoded(vocabulary[t]).replacingOccurrences(of: "\n", with: " ")
                    return ex.windowStart + k == ex.position ? "[\(piece)]" : piece
                }.joined()
            } ?? ""
            lines.append("  \(summary.label): fires on \(fmt(Float(summary.frequency * 100), 1))% of tokens, max "
                         + "\(fmt(summary.max ?? 0, 2)); boosts \(boosts); top: \(context)")
        }
        if let s = steering {
            lines.append("  steering: \(quoted(s.prompt)) → \(quoted(s.plain)); adding F\(s.feature) × \(fmt(s.scale, 0)) at \(hook) → "
                         + quoted(s.steered))
        }
        return lines
    }

    /// The report section: the prompt table, the steering example and a card per shown feature.
    public func reportSection() -> ReportSection {
        var section = ReportSection("SAE features")
        section.paragraph("The demo SAE (`\(hook)`, \(features) features; its card is `SAE_CARD.md` beside the weights). "
                          + "Cards come from a scan of the demo corpus (\(contexts) contexts, \(tokens) tokens), as `lens scan` "
                          + "and `lens dashboard` make them for any model and SAE.")
        section.table(headers: ["prompt", "last token", "most active features"], rows: prompts.map { p in
            [p.prompt, TokenDisplay.label(p.lastToken), p.top.map { "F\($0.feature) (\(fmt($0.value, 2)))" }.joined(separator: ", ")]
        })
        if let s = steering {
            section.table(headers: ["prompt", "greedy continuation", "with F\(s.feature) × \(fmt(s.scale, 0))"],
                          rows: [[s.prompt, s.plain, s.steered]],
                          caption: "Steering: the feature's decoder direction added at \(hook) at every position.")
        }
        for (k, card) in cards.enumerated() {
            section.figure(DashboardCardFigure(card: card, vocabulary: vocabulary, withAssets: k == 0))
        }
        return section
    }
}

/// A dashboard card placed in an `HTMLReport` (the first one carries the dashboard's style and script).
struct DashboardCardFigure: ReportFigure {
    let card: UnitCard
    let vocabulary: [String]
    let withAssets: Bool

    func html() -> String {
        (withAssets ? "<style>\(ScanDashboard.css)</style><script>\(ScanDashboard.script)</script>" : "")
            + ScanDashboard.card(card, vocabulary: vocabulary)
    }
}
