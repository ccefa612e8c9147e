import Foundation
import Lens
import Testing

/// `runWithCache` against TransformerLens's `run_with_cache`: every hook, key order, slices and filters.
@Suite struct CacheParityTests {
    /// With every optional hook on, the full cache has TransformerLens's keys in TransformerLens's order and
    /// every activation matches within 1e-4 (scaled by the reference's largest magnitude; masked scores are
    /// -inf in both), processed and unprocessed.
    @Test(arguments: LensFixture.architectures, [true, false])
    func fullCache(name: String, processed: Bool) throws {
        let info = try LensFixture.json("\(name)/cache_keys_full_\(LensFixture.suffix(processed))")
        let flags = info["flags"] as! [String: Bool]
        var model = try LensFixture.model(name, processed: processed)
        model.setUseAttnResult(flags["use_attn_result"]!)
        model.setUseSplitQKVInput(flags["use_split_qkv_input"]!)
        model.setUseHookMLPIn(flags["use_hook_mlp_in"]!)
        try model.setUseAttnIn(flags["use_attn_in"]!)
        let tokens = try LensFixture.tokens(name)[0..<1]
        let (logits, cache) = try model.runWithCache(tokens)
        #expect(logits.shape == (info["logits_shape"] as! [Int]))
        #expect(cache.keys == (info["keys"] as! [String]))
        let reference = try LensFixture.archive(name, "cache_full_\(LensFixture.suffix(processed))")
        for key in cache.keys {
            let error = scaledError(try cache[key], try reference.tensor(key))
            #expect(error < 1e-4, "\(name) \(key): \(error)")
        }
    }

    /// With default flags on the 2-row batch: the same keys and values, the `posSlice: -1` cache, name
    /// filters (a list, one name, a predicate with `stopAtLayer`).
    @Test(arguments: ["gpt2", "llama", "attn_only_2l"])
    func defaultCacheSlicesAndFilters(name: String) throws {
        let info = try LensFixture.json("\(name)/cache_keys_default_processed")
        let model = try LensFixture.model(name, processed: true)
        let tokens = try LensFixture.tokens(name)
        let (_, cache) = try model.runWithCache(tokens)
        #expect(cache.keys == (info["keys"] as! [String]))
        #expect(model.hookRegistry.names == cache.keys)
        let reference = try LensFixture.archive(name, "cache_default_processed")
        for key in cache.keys { #expect(scaledError(try cache[key], try reference.tensor(key)) < 1e-4, "\(key)") }

        let (_, last) = try model.runWithCache(tokens, posSlice: -1)
        let lastInfo = info["pos_last"] as! [String: Any]
        let shapes = lastInfo["shapes"] as! [String: [Int]]
        let lastReference = try LensFixture.archive(name, "cache_pos_last_processed")
        #expect(last.keys == (lastInfo["keys"] as! [String]))
        for key in last.keys {
            #expect(try last[key].shape == shapes[key], "\(key)")
            #expect(scaledError(try last[key], try lastReference.tensor(key)) < 1e-4, "\(key)")
        }

        let filters = info["filters"] as! [String: Any]
        func expected(_ label: String) -> ([String], [Int]) {
            let entry = filters[label] as! [String: Any]
            return (entry["keys"] as! [String], entry["output_shape"] as! [Int])
        }
        let (listOut, listCache) = try model.runWithCache(tokens, names: ["blocks.1.attn.hook_pattern", "blocks.0.hook_resid_post"])
        #expect((listCache.keys, listOut.shape) == expected("names_filter_list"))
        let (oneOut, oneCache) = try model.runWithCache(tokens, names: "ln_final.hook_scale")
        #expect((oneCache.keys, oneOut.shape) == expected("names_filter_str"))
        let (stopOut, stopCache) = try model.runWithCache(tokens, names: .filter { $0.contains("attn") }, stopAtLayer: 1)
        #expect((stopCache.keys, stopOut.shape) == expected("names_filter_predicate_attn_stop_at_layer_1"))
        #expect(try stopOut.scalars == cache["blocks.1.hook_resid_pre"].scalars)
    }

    /// `removeBatchDim` drops the leading axis of every activation; a batch of two is refused before running.
    @Test func removeBatchDim() throws {
        let model = try LensFixture.model("gpt2", processed: true)
        let tokens = try LensFixture.tokens("gpt2")
        let (_, batched) = try model.runWithCache(tokens[0..<1])
        var removed = batched
        try removed.removeBatchDim()
        let (_, direct) = try model.runWithCache(tokens[0..<1], removeBatchDim: true)
        #expect(!direct.hasBatchDim && direct.keys == batched.keys)
        for key in batched.keys {
            #expect(try direct[key].shape == Array(batched[key].shape.dropFirst()))
            #expect(try direct[key].scalars == removed[key].scalars)
        }
        #expect(throws: LensError.self) { _ = try model.runWithCache(tokens, removeBatchDim: true) }
        #expect(throws: LensError.self) { try removed.removeBatchDim() }
    }

    /// Shorthand keys follow `utils.get_act_name` exactly (every example TransformerLens was asked for).
    @Test func actNames() throws {
        let examples = try LensFixture.json("act_names")["examples"] as! [[String: Any]]
        for example in examples {
            guard let name = example["name"] as? String else { continue }
            let args = example["args"] as! [Any]
            let layer = args.count > 1 ? (args[1] as! NSNumber).intValue : nil
            let type = args.count > 2 ? args[2] as? String : nil
            #expect(getActName(args[0] as! String, layer: layer, layerType: type) == name, "\(args)")
        }
    }

    /// `cache["resid_post", -1]`, `cache["k6"]`-style and `cache["scale"]` lookups, a layer past the last one
    /// saying how many layers there are, and a missing key naming the closest cached keys.
    @Test func shorthandLookups() throws {
        let model = try LensFixture.model("gpt2", processed: false)
        let (_, cache) = try model.runWithCache(try LensFixture.tokens("gpt2"))
        #expect(try cache["resid_post", -1].scalars == cache["blocks.1.hook_resid_post"].scalars)
        #expect(try cache["k1"].scalars == cache["blocks.1.attn.hook_k"].scalars)
        #expect(try cache["scale0ln2"].scalars == cache["blocks.0.ln2.hook_scale"].scalars)
        #expect(try cache["scale"].scalars == cache["ln_final.hook_scale"].scalars)
        #expect(try cache["pattern", 0].shape == [2, 4, 7, 7])
        #expect(try cache["embed"].shape == [2, 7, 64])
        #expect(throws: LensError.layerOutOfRange(5, layers: 2, context: "cache[\"resid_post\", 5]")) {
            try cache["resid_post", 5]
        }
        let (_, partial) = try model.runWithCache(try LensFixture.tokens("gpt2"), names: ["blocks.1.hook_resid_post"])
        do {
            _ = try partial["resid_post", 0]
            Issue.record("a missing key must throw")
        } catch let LensError.missingActivation(key, suggestions) {
            #expect(key == "blocks.0.hook_resid_post")
            #expect(suggestions.contains("blocks.1.hook_resid_post"))
        }
    }
}
