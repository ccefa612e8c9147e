// A corpus scan from Swift: the demo SAE's features, the layer-1 neurons and a unit set defined here (the norm
// of the residual stream after each block), over the demo corpus; prints the most frequent features with their
// top context and writes a dashboard of the ten strongest ones. Run from the repository root:
//   swift run -c release FeatureScan
import Foundation
import Lens
import LensStore

/// A user-defined unit set: one unit per layer, the norm ‖resid_post‖ of the residual stream at every token.
struct ResidualNorms: ScanUnits {
    let layers: Int
    var name: String { "resid_post norms" }
    var kind: String { "residual norm" }
    var hooks: [String] { (0..<layers).map { "blocks.\($0).hook_resid_post" } }
    var count: Int { layers }
    var fingerprint: String { "l2" }
    func label(_ unit: Int) -> String { "‖resid_post \(unit)‖" }
    func validate(for model: HookedTransformer) throws {}
    func activations(_ captured: [String: Tensor]) throws -> Tensor {
        let norms = hooks.map { captured[$0]!.square().sum(axis: -1).sqrt().reshaped([-1]) }
        return Tensor.stack(norms, axis: 1).contiguous()
    }
    func outputDirections(_ model: HookedTransformer) throws -> Tensor? { nil }
}

let folder = try DemoModel.folder()
let model = try LensModel(pretrained: folder)
let sae = try SparseAutoencoder(folder: folder.appendingPathComponent("sae/blocks.1.hook_resid_post"))
let scan = CorpusScan(units: [try SAEFeatureUnits(sae: sae), try NeuronUnits(layer: 1, model: model.transformer),
                              ResidualNorms(layers: model.config.nLayers)],
                      options: ScanOptions(batchSize: 16, topK: 10),
                      packing: PackingOptions(contextLength: 64, tokenizer: model.tokenizer))
let corpus = try Corpus(paths: [folder.appendingPathComponent("corpus.txt").path])

// Into a database (resumable; query it with sqlite3), or leave out `store:` to keep the result in memory only.
let path = FileManager.default.temporaryDirectory.appendingPathComponent("feature-scan.sqlite").path
try? FileManager.default.removeItem(atPath: path)
let result = try scan.run(model: model, corpus: corpus, modelName: "demo", store: ScanDatabase(path: path), showProgress: true)
print("Scanned \(result.checkpoint.contexts) contexts in \(String(format: "%.2f", result.seconds)) s into \(path)")

let vocabulary = result.description.vocabulary
for summary in result.summaries(set: 0).sorted(by: { $0.frequency > $1.frequency }).prefix(5) {
    let card = result.card(set: 0, unit: summary.unit)
    let top = card.top.first.map { ex in
        ex.tokens.map { vocabulary[$0] }.joined().replacingOccurrences(of: "Ġ", with: " ")
    } ?? ""
    let boosts = card.logitEffects?.boosted.prefix(3).map { vocabulary[$0.token] }.joined(separator: " ") ?? ""
    print("\(summary.label): fires on \(String(format: "%.1f", summary.frequency * 100))% of tokens, max "
          + "\(summary.max ?? 0); boosts \(boosts); top context: \(top)")
}
for summary in result.summaries(set: 2) {
    print("\(summary.label): mean \(String(format: "%.2f", summary.mean)), max \(summary.max ?? 0)")
}

let strongest = result.summaries(set: 0).sorted { ($0.max ?? 0) > ($1.max ?? 0) }.prefix(10)
let html = ScanDashboard.document(title: "Demo SAE features", subtitle: "FeatureScan example", summaries: Array(strongest),
                                  setNames: result.header.unitSets.map(\.name),
                                  cards: strongest.map { result.card(set: 0, unit: $0.unit) }, vocabulary: vocabulary)
try Data(html.utf8).write(to: URL(fileURLWithPath: "feature-scan.html"))
print("Dashboard: feature-scan.html")
