import Foundation
import Lens
import Testing

/// Patching sweeps against TransformerLens 3.9's `patching.get_act_patch_*` on the tiny checkpoints
/// (`Tests/Fixtures/lens/<arch>/patching`, made by `Scripts/fixtures/lens_techniques.py`).
@Suite struct PatchingParityTests {
    /// Every sweep the fixture recorded, normalised and raw logit difference, log-prob and KL metrics, both
    /// directions: the fast path matches TransformerLens within 1e-4 (scaled by the largest reference value).
    @Test(arguments: ["gpt2", "llama", "attn_only_2l"])
    func sweepsMatchTransformerLens(_ name: String) throws {
        let info = try LensFixture.json("\(name)/patching/patching")
        let model = try LensFixture.model(name, processed: true)
        let clean = tokenTensor(info["clean_tokens"]), corrupted = tokenTensor(info["corrupted_tokens"])
        let answers = idTensor(info["answer"]).intScalars, wrong = idTensor(info["wrong"]).intScalars
        let raw = try PatchingMetric.logitDiff(answers: answers, wrong: wrong)
        let normalised = try raw.normalized(clean: (info["clean_logit_diff"] as! NSNumber).floatValue,
                                            corrupted: (info["corrupted_logit_diff"] as! NSNumber).floatValue)
        let (cleanLogits, cleanCache) = try model.runWithCache(clean)
        let (_, corruptedCache) = try model.runWithCache(corrupted)
        let options = PatchingOptions(showProgress: false)
        let files = info["files"] as! [String: Any]
        #expect(files.count >= 15)
        for file in files.keys.sorted() {
            let noising = file.hasPrefix("noising_")
            let function = noising ? String(file.dropFirst("noising_".count)) : file
            let (tokens, cache) = noising ? (clean, corruptedCache) : (corrupted, cleanCache)
            var variants: [(String, PatchingMetric, PatchSweep)] = []
            if let sweep = PatchSweep(named: function) {
                variants = [(file, normalised, sweep), (file + "_raw", raw, sweep)]
            } else if function == "get_act_patch_resid_pre_logprob" {
                variants = [(file, .logProb(tokens: answers), .residPre)]
            } else if function == "get_act_patch_resid_pre_kl" {
                variants = [(file, try .klDivergence(from: cleanLogits), .residPre)]
            }
            #expect(!variants.isEmpty, "\(name): no sweep for fixture \(file)")
            for (stem, metric, sweep) in variants {
                let expected = try Tensor(npyContentsOf: LensFixture.fixtures.appendingPathComponent("lens/\(name)/patching/\(stem).npy").path)
                let result = try model.actPatch(sweep, corruptedTokens: tokens, cleanCache: cache, metric: metric, options: options)
                #expect(scaledError(result, expected) < 1e-4, "\(name) \(stem): \(scaledError(result, expected)) \(result.shape)")
            }
        }
    }
}

/// A `[batch, pos]` int tensor from a JSON array of rows.
func tokenTensor(_ value: Any?) -> Tensor {
    let rows = (value as! [[Any]]).map { $0.map { ($0 as! NSNumber).intValue } }
    return Tensor(ints: rows.flatMap { $0 }, shape: [rows.count, rows.first?.count ?? 0])
}
