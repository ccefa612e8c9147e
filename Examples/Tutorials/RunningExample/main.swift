// Tutorial 000, "The Running Example": factual recall through every technique, section by section, on the
// demo model (3 layers, 4 heads, d_model 128) instead of GPT-2 small. Each `// §` comment names the
// section of the TransformerLens tutorial it follows; the Python line it replaces is quoted where the
// spelling differs. Run from the repository root: swift run TutorialRunningExample
import Foundation
import Lens

func show(_ x: Float) -> String { String(format: "%+.2f", x) }

// § 22.2 Setup. `tl.HookedTransformer.from_pretrained("gpt2-small")` → a folder on disk (nothing is downloaded).
let model = try LensModel(pretrained: DemoModel.folder())
let nLayers = model.config.nLayers, nHeads = model.config.nHeads
let prompt = "The Eiffel Tower is located in"
let answer = " Paris"
let tokens = try model.toTokens(prompt)                  // [1, pos], BOS prepended as in TransformerLens
let answerToken = try model.toSingleToken(answer)        // throws if " Paris" is not exactly one token
let logits = try model(tokens)                           // [1, pos, d_vocab]
let topToken = logits[0, -1].argmax().intScalars[0]
print("Model predicts: '\(try model.toString([topToken]))'")

// § 22.3.1 The forward pass.
let (_, cache) = try model.runWithCache(tokens)
print("Input shape: \(tokens.shape)")
print("Final residual: \(try cache["resid_post", nLayers - 1].shape)")
print("Logits shape: \(logits.shape)")
print("Paris logit: \(show(logits[0, -1, answerToken].item()))")

// § 22.3.2 The residual stream: each component's push along the Paris unembedding direction.
let parisDir = model.W_U[.all, answerToken]               // [d_model]
var contributions: [(String, Float)] = [("embed", try cache["embed"][0, -1].matmul(parisDir).item())]
for layer in 0..<nLayers {
    contributions.append(("L\(layer)_attn", try cache["attn_out", layer][0, -1].matmul(parisDir).item()))
    contributions.append(("L\(layer)_mlp", try cache["mlp_out", layer][0, -1].matmul(parisDir).item()))
}
print("Top contributors to 'Paris' logit:")
for (name, value) in contributions.sorted(by: { $0.1 > $1.1 }).prefix(5) { print("  \(name): \(show(value))") }

// § 22.3.3 Geometry: cosine similarity of two unembedding directions (the demo vocabulary has no
// " France"; " Rome" plays its part).
let romeToken = try model.toSingleToken(" Rome")
let cosSim = try Tensor.cosineSimilarity(parisDir, model.W_U[.all, romeToken], axis: 0)
print("Cosine similarity Paris-Rome: \(String(format: "%.3f", cosSim.item()))")

// § 22.4.1 Features and § 22.4.2 Superposition: the final residual vector holds them all.
let finalResid = try cache["resid_post", nLayers - 1][0, -1]   // [d_model]
print("Final residual norm: \(String(format: "%.2f", finalResid.norm().item())) over \(finalResid.shape[0]) dimensions")

// § 22.4.3 Circuits: which heads look at "Eiffel" from the last position?
let strTokens = try model.toStrTokens(prompt)
let eiffelPos = strTokens.firstIndex { $0.contains("E") } ?? 2
for layer in 0..<nLayers {
    let pattern = try cache["pattern", layer][0, .all, -1, .all]   // [n_heads, seq_len]
    for head in 0..<nHeads {
        let attnToEiffel = pattern[head, eiffelPos].item()
        if attnToEiffel > 0.1 { print("L\(layer)H\(head) attends to '\(strTokens[eiffelPos])' with weight \(String(format: "%.2f", attnToEiffel))") }
    }
}

// § 22.5.1 SAE features: the demo ships a small SAE on blocks.1.hook_resid_post (GPT-2's is on resid_pre 8).
// `SAE.from_pretrained(release, sae_id)` → `SparseAutoencoder(folder:)` on a SAELens folder.
let sae = try SparseAutoencoder(folder: DemoModel.folder().appendingPathComponent("sae/blocks.1.hook_resid_post"))
let resid = try cache["resid_post", 1][0, -1]                  // [d_model]
let featureActs = try sae.encode(resid.unsqueezed(0))      // [1, d_sae]
let topK = featureActs[0].topk(10)
print("Top active SAE features:")
for (index, value) in zip(topK.indices.intScalars, topK.values.scalars) where value > 0 {
    print("  Feature \(index): \(String(format: "%.2f", value))")
}

// § 22.5.2 Attribution: each head's output z · W_O and each MLP, projected on the answer direction.
func logitAttribution(_ cache: ActivationCache, _ model: LensModel, targetToken: Int) throws -> [(String, Float)] {
    let targetDir = model.W_U[.all, targetToken]
    var results: [(String, Float)] = []
    for layer in 0..<model.config.nLayers {
        let z = try cache["z", layer][0, -1]                  // [n_heads, d_head]
        let W_O = model.W_O[layer]                          // [n_heads, d_head, d_model]
        for head in 0..<model.config.nHeads {
            let headOut = z[head].matmul(W_O[head])         // [d_model]
            results.append(("L\(layer)H\(head)", headOut.matmul(targetDir).item()))
        }
        results.append(("L\(layer)_MLP", try cache["mlp_out", layer][0, -1].matmul(targetDir).item()))
    }
    return results.sorted { $0.1 > $1.1 }
}
print("Top 10 components for 'Paris':")
for (name, contribution) in try logitAttribution(cache, model, targetToken: answerToken).prefix(10) { print("  \(name): \(show(contribution))") }

// § 22.5.3 Patching: the last position of the Colosseum run, written into the Eiffel run layer by layer.
let corruptedTokens = try model.toTokens("The Colosseum is located in")
let (_, corruptedCache) = try model.runWithCache(corruptedTokens)
@MainActor func patchLayer(_ layer: Int, component: String = "resid_post") throws -> (paris: Float, rome: Float) {
    let corruptedAct = try corruptedCache[component, layer]
    let patched = try model.runWithHooks(tokens, hooks: [("blocks.\(layer).hook_\(component)", { act, _ in
        var act = act                                       // hooks get a value: edit a copy, return it
        act[.all, -1, .all] = corruptedAct[.all, -1, .all]
        return act
    })])
    return (patched[0, -1, answerToken].item(), patched[0, -1, romeToken].item())
}
print("Layer | Paris logit | Rome logit | Prediction")
for layer in 0..<nLayers {
    let (paris, rome) = try patchLayer(layer)
    print("  \(layer)   |   \(show(paris))    |   \(show(rome))   | \(paris > rome ? "Paris" : "Rome")")
}

// § 22.5.4 Ablation: zero each MLP's output (a hook returning zeros), then the Try-It: mean ablation over
// a batch of other prompts, with `Ablation` doing the bookkeeping.
let originalLogit = logits[0, -1, answerToken].item()
print("Original Paris logit: \(String(format: "%.2f", originalLogit))")
let landmarks = ["The Kremlin", "The Bund", "The Prado Museum", "The Taj Mahal", "The Leaning Tower", "The Space Needle",
                 "The Little Mermaid", "The Rialto Bridge", "The Grand Palace"]
let sameLength = try landmarks.map { try model.toTokens("\($0) is located in") }.filter { $0.shape[1] == tokens.shape[1] }
let reference = Tensor.concat(sameLength, axis: 0)                 // [N, pos]: a mean for every position
print("Mean ablation over \(sameLength.count) other landmarks of the same token length")
for layer in 0..<nLayers {
    let zeroed = try model.runWithHooks(tokens, hooks: [("blocks.\(layer).hook_mlp_out", { act, _ in Tensor.zeros(like: act) })])
    let meaned = try model.transformer.runWithAblations(tokens, [Ablation(ActivationRegion(hook: "blocks.\(layer).hook_mlp_out"),
                                                                          method: .meanOver(tokens: reference))])
    let zero = zeroed[0, -1, answerToken].item(), mean = meaned[0, -1, answerToken].item()
    print("  Layer \(layer): zero \(String(format: "%.2f", zero)) (change: \(show(zero - originalLogit))), "
          + "mean \(String(format: "%.2f", mean)) (change: \(show(mean - originalLogit)))")
}

// § 22.6-22.8 Synthesis and Try It Yourself: the same steps on the other facts the demo model knows.
for (fact, city) in [("The Colosseum is located in", " Rome"), ("Big Ben is located in", " London")] {
    let top = try model(fact)[0, -1].argmax().intScalars[0]
    print("\(fact) →\(try model.toString([top])) (expected\(city))")
}
