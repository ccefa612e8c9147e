// Tutorial 004, "Quick Reference": every cheat sheet of the page, run on the demo model. The migration
// guide (Lens documentation, "TransformerLens to SwiftLens") has the same calls as a table.
// Run: swift run TutorialQuickReference
import Foundation
import Lens

// § TransformerLens essentials.
let model = try LensModel(pretrained: DemoModel.folder())
let (logits, cache) = try model.runWithCache("Hello world")
let resid = try cache["resid_post", 2]          // the demo model has 3 layers (GPT-2 small's 5 is out of range: it throws)
let attn = try cache["pattern", 1]
let mlpOut = try cache["mlp_out", 2]
let headOut = try cache["z", 1][.all, .all, 2, .all]    // layer 1, head 2
let tokens = try model.toTokens("Hello world")
let strTokens = try model.toStrTokens("Hello world")
print("logits \(logits.shape), resid_post \(resid.shape), pattern \(attn.shape), mlp_out \(mlpOut.shape), head z \(headOut.shape)")
print("tokens \(tokens.intScalars), str tokens \(strTokens)")

// § Attribution: logit attribution, DLA of every head, logit lens.
let target = try model.toSingleToken(" Paris")
let (_, factCache) = try model.runWithCache("The Eiffel Tower is located in")
let componentOutput = try factCache["mlp_out", 2]
let logitAttribution = componentOutput.matmul(model.W_U)[.all, -1, target]                     // [batch]
let headDLA = try factCache.stackHeadResults().matmul(model.W_U[.all, target])                 // [heads, batch, pos]
let lens = try model.unembed(factCache["resid_post", 1])                                        // no ln_final, as written
print("MLP 2 → ' Paris' \(logitAttribution.item()); heads at the last position \(headDLA[.all, 0, -1].scalars)")
print("logit lens after layer 1 predicts '\(try model.toString([lens[0, -1].argmax().intScalars[0]]))'")

// The quick logit attribution, sorted by |contribution|.
var contributions: [(String, Float)] = []
let targetDir = model.W_U[.all, target]
for layer in 0..<model.config.nLayers {
    let z = try factCache["z", layer][0, -1]
    let W_O = model.W_O[layer]
    for head in 0..<model.config.nHeads { contributions.append(("L\(layer)H\(head)", z[head].matmul(W_O[head]).matmul(targetDir).item())) }
    contributions.append(("L\(layer)_MLP", try factCache["mlp_out", layer][0, -1].matmul(targetDir).item()))
}
print("Largest contributions:", contributions.sorted { abs($0.1) > abs($1.1) }.prefix(5).map { "\($0.0) \($0.1)" })

// § Activation patching template: the whole activation from the corrupted run into the clean one.
func patchActivation(_ model: LensModel, clean: String, corrupted: String, layer: Int, component: String = "resid_post") throws -> Tensor {
    let (_, corruptedCache) = try model.runWithCache(corrupted)
    let corruptedAct = try corruptedCache[component, layer]
    return try model.runWithHooks(clean, hooks: [("blocks.\(layer).hook_\(component)", { act, _ in corruptedAct })])
}
let paris = try model.toSingleToken(" Paris"), pisa = try model.toSingleToken(" Pisa")
let patched = try patchActivation(model, clean: "The Eiffel Tower is located in", corrupted: "The Leaning Tower is located in", layer: 1)
print("patched resid_post 1: Paris \(patched[0, -1, paris].item()) Pisa \(patched[0, -1, pisa].item())")
// Noising and denoising are one flag of the sweep.
let clean = try model.toTokens("The Eiffel Tower is located in"), corrupted = try model.toTokens("The Leaning Tower is located in")
let metric = try PatchingMetric.logitDiff(answers: [paris], wrong: [pisa])
for direction in [PatchDirection.denoising, .noising] {
    let sweep = try model.actPatch(.residPre, clean: clean, corrupted: corrupted, direction: direction, metric: metric,
                                   options: PatchingOptions(showProgress: false))
    print("\(direction) resid_pre sweep at the last position:", sweep[.all, -1].scalars)
}

// § Ablation: mean-ablate one head with the mean of another batch's z.
func meanAblateHead(_ model: LensModel, _ input: String, layer: Int, head: Int, meanCache: ActivationCache) throws -> Tensor {
    let meanAct = try meanCache["z", layer][.all, .all, head, .all].mean(axis: 0)       // [pos, d_head]
    return try model.runWithHooks(input, hooks: [("blocks.\(layer).attn.hook_z", { z, _ in
        var z = z
        z[.all, .all, head, .all] = meanAct
        return z
    })])
}
let (_, meanCache) = try model.runWithCache(Tensor.concat(try ["The Parthenon is located in", "The Colosseum is located in"].map { try model.toTokens($0) }, axis: 0))
let ablated = try meanAblateHead(model, "The Colosseum is located in", layer: 2, head: 3, meanCache: meanCache)
print("mean-ablated L2H3: ' Rome' logit \(ablated[0, -1, try model.toSingleToken(" Rome")].item())")

// § SAE feature analysis: load, encode, decode, top features, a feature's direction, steering.
let sae = try SparseAutoencoder(folder: DemoModel.folder().appendingPathComponent("sae/blocks.1.hook_resid_post"))
let (_, textCache) = try model.runWithCache("I hate this movie because it is")
let acts = try textCache["resid_post", 1]
let featureActs = try sae.encode(acts)                        // [1, pos, d_sae]
let reconstructed = try sae.decode(featureActs)
let topK = featureActs[0, -1].topk(10)
for (idx, val) in zip(topK.indices.intScalars, topK.values.scalars) where val > 0 { print("Feature \(idx): \(val)") }
print("reconstruction error \((reconstructed - acts).norm().item() / acts.norm().item())")
let featureIdx = 607, strength: Float = 8
let featureDir = sae.W_dec[featureIdx]
let steered = try model.runWithHooks("I hate this movie because it is", hooks: [("blocks.1.hook_resid_post", { resid, _ in
    resid + featureDir * strength
})])
let great = try model.toSingleToken(" great"), terrible = try model.toSingleToken(" terrible")
print("steering feature \(featureIdx): great − terrible \(steered[0, -1, great].item() - steered[0, -1, terrible].item())")
// The same during generation.
let generated = try model.transformer.generate([try model.toTokens("I hate this movie because it is").intScalars],
                                               steering: [sae.steering(feature: featureIdx, scale: strength)],
                                               options: GenerationOptions(maxNewTokens: 3))
print("steered generation: \(try model.toString(generated[0]))")

// § Common hook points: name and shape of each, from one run.
let (_, hooksCache) = try model.runWithCache("Hello world", names: .all)
for name in ["hook_embed", "hook_pos_embed", "blocks.0.hook_resid_pre", "blocks.0.hook_resid_post", "blocks.0.attn.hook_q",
             "blocks.0.attn.hook_k", "blocks.0.attn.hook_v", "blocks.0.attn.hook_z", "blocks.0.attn.hook_pattern",
             "blocks.0.hook_mlp_out"] {
    print(name, try hooksCache[name].shape)
}
// hook_result exists only with `use_attn_result`; the cache computes it from z · W_O instead:
print("blocks.0.attn.hook_result (computed)", try hooksCache.headResults(layer: 0).shape)

// § Model dimensions.
let c = model.config
print("demo: layers \(c.nLayers), heads \(c.nHeads), d_model \(c.dModel), d_head \(c.dHead), d_mlp \(c.dMLP ?? 0), vocab \(c.dVocab)")
