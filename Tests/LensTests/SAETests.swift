import Foundation
import Lens
import Testing

/// SAELens folders (`Tests/Fixtures/lens/saes`, made with SAELens 6.54 by `Scripts/fixtures/lens_saes.py`):
/// loading both config layouts, encode/decode of every architecture, splicing into the gpt2 fixture.
@Suite struct SAETests {
    static let folders = ["standard_v6", "standard_v6_layer_norm", "standard_flat_v3", "jumprelu_v6", "jumprelu_flat_v5",
                          "topk_v6_rescale", "topk_flat_v5", "gated_v6", "transcoder_v6", "skip_transcoder_v6"]

    static func folder(_ name: String) -> URL { LensFixture.fixtures.appendingPathComponent("lens/saes/\(name)") }

    /// encode, decode, forward and the SAE's own stage activations match SAELens within 1e-4; the parsed
    /// config matches SAELens's.
    @Test(arguments: folders)
    func encodeDecodeMatchSAELens(_ name: String) throws {
        let sae = try SparseAutoencoder(folder: Self.folder(name))
        let expected = try NpzArchive(contentsOf: Self.folder(name).appendingPathComponent("expected.npz").path)
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder(name).appendingPathComponent("expected.json"))) as! [String: Any]
        let parsed = info["parsed_config"] as! [String: Any]
        #expect(sae.config.architecture.rawValue == parsed["architecture"] as? String)
        #expect(sae.config.applyBDecToInput == parsed["apply_b_dec_to_input"] as? Bool)
        #expect(sae.config.normalizeActivations.rawValue == parsed["normalize_activations"] as? String)
        #expect(sae.config.k == (parsed["k"] as? NSNumber)?.intValue)
        #expect(sae.config.hookName == (parsed["metadata"] as! [String: Any])["hook_name"] as? String)
        let x = try expected.tensor("sae_in")
        let acts = try sae.encode(x)
        #expect(scaledError(acts, try expected.tensor("feature_acts")) < 1e-4, "\(name) encode")
        let decoded = try sae.decode(try expected.tensor("feature_acts"), input: x)
        #expect(scaledError(decoded, try expected.tensor("sae_out")) < 1e-4, "\(name) decode")
        let pass = try sae.run(x)
        #expect(scaledError(pass.output, try expected.tensor("forward_out")) < 1e-4, "\(name) forward")
        #expect(scaledError(pass.actsPre, try expected.tensor("cache.hook_sae_acts_pre")) < 1e-4, "\(name) acts_pre")
        #expect(scaledError(pass.recons, try expected.tensor("cache.hook_sae_recons")) < 1e-4, "\(name) recons")
        // A block of features alone (what a scan computes, block by block) equals those columns of encode.
        let d = sae.config.dSAE, block = (d / 3)..<(d / 3 + d / 2)
        if sae.encodesFeaturesSeparately {
            let part = try sae.encodeFeatures(block, input: try sae.encoderInput(x)).reshaped([-1, block.count])
            #expect(scaledError(part, acts.reshaped([-1, d])[.all, block]) == 0, "\(name) encodeFeatures")
        } else {
            #expect(throws: SAEError.self) { _ = try sae.encodeFeatures(block, input: try sae.encoderInput(x)) }
        }
        let active = (info["active_features_per_token"] as! [[NSNumber]]).flatMap { $0.map(\.intValue) }
        let counted = (0..<14).map { i in acts.reshaped([14, -1])[i].scalars.filter { $0 != 0 }.count }
        #expect(counted == active, "\(name) active features")
        let top = info["row0_last_top5"] as! [String: [NSNumber]]
        let (values, ids) = try sae.topFeatures(acts[0, 6], k: 5)
        #expect(ids.intScalars == top["ids"]!.map(\.intValue), "\(name) top features")
        #expect(zip(values.scalars, top["values"]!).allSatisfy { abs($0 - $1.floatValue) < 1e-4 * max(1, abs($1.floatValue)) })
        #expect(try sae.activeFeatures(acts[0, 6], limit: 5).map(\.feature) == top["ids"]!.map(\.intValue))
    }

    /// Splicing into gpt2 with and without the error term: logits and every SAE stage match
    /// HookedSAETransformer; steering with a feature's decoder direction matches TransformerLens.
    @Test func spliceAndSteerMatchSAELens() throws {
        let model = try LensFixture.model("gpt2", processed: true)
        let tokens = try LensFixture.tokens("gpt2")
        let archive = try NpzArchive(contentsOf: Self.folder("splice_gpt2.npz").path)
        for name in ["standard_v6", "transcoder_v6"] {
            let sae = try SparseAutoencoder(folder: Self.folder(name))
            for useError in [false, true] {
                let key = "\(name)__\(useError ? "with" : "without")_error"
                let (logits, cache) = try model.runWithCacheWithSAEs(tokens, saes: [sae], useErrorTerm: useError, names: .names([]))
                #expect(scaledError(logits, try archive.tensor(key + "__logits")) < 1e-4, "\(key) logits")
                let stages = cache.keys.filter { $0.contains(".hook_sae_") }
                #expect(stages.count == (useError ? 6 : 5), "\(key)")
                for stage in stages {
                    #expect(scaledError(try cache[stage], try archive.tensor(key + "__" + stage)) < 1e-4, "\(key) \(stage)")
                }
            }
        }
        let sae = try SparseAutoencoder(folder: Self.folder("standard_v6"))
        let (_, cache) = try model.runWithCacheWithSAEs(tokens, saes: [sae], names: .names([]))
        let feature = try cache["blocks.1.hook_resid_pre.hook_sae_acts_post"][0, 6].argmax().intScalars[0]
        let steered = try model.runWithSteering(tokens, [try sae.steering(feature: feature, scale: 5)])
        #expect(scaledError(steered, try archive.tensor("steer_feature__logits")) < 1e-4)
    }

    /// A hook on the SAE's features edits the spliced output; with the error term the edit is all that
    /// changes the model (no hooks: logits equal the plain model's).
    @Test func featureHooksAndErrorTerm() throws {
        let model = try LensFixture.model("gpt2", processed: true)
        let tokens = try LensFixture.tokens("gpt2")
        let sae = try SparseAutoencoder(folder: Self.folder("standard_v6"))
        let plain = try model.forward(tokens: tokens)
        #expect(scaledError(try model.runWithSAEs(tokens, saes: [sae], useErrorTerm: true), plain) < 1e-5)
        let (_, cache) = try model.runWithCacheWithSAEs(tokens, saes: [sae], names: .names([]))
        let feature = try cache["blocks.1.hook_resid_pre.hook_sae_acts_post"][0, 6].argmax().intScalars[0]
        let ablate: HookFunction = { acts, _ in
            var edited = acts
            edited[.ellipsis, feature] = Tensor(zeros: [1])
            return edited
        }
        let hooks = [("blocks.1.hook_resid_pre.hook_sae_acts_post", ablate)]
        let edited = try model.runWithSAEs(tokens, saes: [sae], useErrorTerm: true, hooks: hooks)
        // Removing the feature subtracts acts · W_dec[feature] from the residual.
        let direction = try sae.decoderDirection(feature)
        let acts = try cache["blocks.1.hook_resid_pre.hook_sae_acts_post"][.ellipsis, feature]
        let expected = try model.runWithHooks(tokens, hooks: [("blocks.1.hook_resid_pre", { x, _ in
            x - acts.unsqueezed(-1) * direction
        })])
        #expect(scaledError(edited, expected) < 1e-4)
        #expect(throws: LensError.self) {
            _ = try model.runWithSAEs(tokens, saes: [sae], hooks: [("blocks.1.hook_resid_pre.hook_sae_acts_psot", ablate)])
        }
    }

    /// Malformed folders: errors name the file and the field or tensor.
    @Test func malformedFoldersNameTheProblem() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlens-sae-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let weights = try Data(contentsOf: Self.folder("standard_v6").appendingPathComponent("sae_weights.safetensors"))
        let baseConfig = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder("standard_v6").appendingPathComponent("cfg.json"))) as! [String: Any]
        func attempt(_ config: [String: Any], weights data: Data = weights) throws -> SAEError? {
            try JSONSerialization.data(withJSONObject: config).write(to: scratch.appendingPathComponent("cfg.json"))
            try data.write(to: scratch.appendingPathComponent("sae_weights.safetensors"))
            do { _ = try SparseAutoencoder(folder: scratch) } catch let error as SAEError { return error }
            return nil
        }
        var config = baseConfig
        config.removeValue(forKey: "d_sae")
        #expect(try attempt(config).map { "\($0)".contains("d_sae") } == true)
        config = baseConfig
        config["d_in"] = "sixty-four"
        #expect(try attempt(config).map { "\($0)".contains("d_in") } == true)
        config = baseConfig
        config["architecture"] = "matryoshka_batchtopk"
        #expect(try attempt(config) == .unsupported("architecture", value: "matryoshka_batchtopk",
                                                   file: scratch.appendingPathComponent("cfg.json").path))
        config = baseConfig
        config["d_sae"] = 64
        #expect(try attempt(config).map { "\($0)".contains("W_enc") } == true)
        config = baseConfig
        config["architecture"] = "jumprelu"
        #expect(try attempt(config).map { "\($0)".contains("threshold") } == true)
        config = baseConfig
        config["normalize_activations"] = "covariance_whitening"
        #expect(try attempt(config).map { "\($0)".contains("covariance_whitening") } == true)
        #expect(try attempt(baseConfig, weights: Data("not safetensors".utf8)).map { "\($0)".contains("sae_weights") } == true)
        try FileManager.default.removeItem(at: scratch.appendingPathComponent("cfg.json"))
        #expect(throws: SAEError.self) { _ = try SparseAutoencoder(folder: scratch) }
        let sae = try SparseAutoencoder(folder: Self.folder("standard_v6"))
        #expect(throws: SAEError.self) { _ = try sae.encode(Tensor(zeros: [2, 5])) }
        #expect(throws: SAEError.self) { _ = try sae.decoderDirection(500) }
        #expect(throws: SAEError.self) {
            _ = try SparseAutoencoder(folder: Self.folder("standard_v6_layer_norm")).decode(Tensor(zeros: [1, 64]))
        }
    }
}
