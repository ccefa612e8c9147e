/// Running a model with sparse autoencoders spliced into its hook points (SAELens's `HookedSAETransformer`).
extension HookedTransformer {
    /// Logits with each SAE's output replacing the activation at its output hook (`hook_name_out`, else
    /// `hook_name`); a transcoder reads its input at `hook_name`. With `useErrorTerm` the output is
    /// `sae_out + (x − sae_out_clean)`, where `x` is the original activation at the output hook and
    /// `sae_out_clean` the SAE output computed without `hooks` on the SAE's stages: the model's output is
    /// unchanged unless those hooks edit features.
    ///
    /// `hooks` may name model hook points or SAE stages `<output hook>.hook_sae_acts_pre`, `.hook_sae_acts_post`,
    /// `.hook_sae_recons` (edits run inside the SAE). A skip transcoder's skip path is included (SAELens's
    /// `HookedSAETransformer` 6.54 drops it when splicing).
    public func runWithSAEs(_ tokens: Tensor, saes: [SparseAutoencoder], useErrorTerm: Bool = false,
                            hooks: [(String, HookFunction)] = []) throws -> Tensor {
        try runWithCacheWithSAEs(tokens, saes: saes, useErrorTerm: useErrorTerm, names: .names([]), hooks: hooks).0
    }

    /// `runWithSAEs` with an activation cache: the model hook points `names` selects plus, for each SAE,
    /// `<output hook>.hook_sae_input`, `.hook_sae_acts_pre`, `.hook_sae_acts_post`, `.hook_sae_recons`,
    /// (`.hook_sae_error` with the error term) and `.hook_sae_output` (SAELens's cache keys).
    public func runWithCacheWithSAEs(_ tokens: Tensor, saes: [SparseAutoencoder], useErrorTerm: Bool = false,
                                     names: HookNames = .all, hooks: [(String, HookFunction)] = []) throws
        -> (Tensor, ActivationCache) {
        let recorder = SAERecorder()
        var modelHooks: [(HookTarget, HookFunction)] = []
        var outputs = Set<String>()
        for sae in saes {
            guard let input = sae.config.hookName else {
                throw SAEError.invalidInput("an SAE config without hook_name cannot be spliced")
            }
            let output = sae.config.hookNameOut ?? input
            guard outputs.insert(output).inserted else {
                throw LensError.invalidArgument("two SAEs write \(output)")
            }
            try hookRegistry.validate(input)
            try hookRegistry.validate(output)
            let stageHooks = hooks.filter { $0.0.hasPrefix(output + ".hook_sae_") }
            let splice = SAESplice(sae: sae, output: output, useErrorTerm: useErrorTerm, stageHooks: stageHooks,
                                   recorder: recorder)
            if input != output { modelHooks.append((.name(input), splice.capture)) }
            modelHooks.append((.name(output), splice.replace))
        }
        let stages = ["hook_sae_acts_pre", "hook_sae_acts_post", "hook_sae_recons"]
        for (name, _) in hooks where name.contains(".hook_sae_") && !outputs.contains(where: { o in
            stages.contains { name == o + "." + $0 }
        }) {
            throw LensError.unknownHook(name, suggestions: closestNames(to: name, in: outputs.sorted().flatMap { o in
                stages.map { o + "." + $0 }
            }))
        }
        let modelOnly = hooks.filter { !$0.0.contains(".hook_sae_") }.map { (HookTarget.name($0.0), $0.1) }
        var (logits, cache) = try runWithCache(tokens, names: names, hooks: modelHooks + modelOnly)
        for (key, value) in recorder.entries { cache.set(value, forKey: key) }
        return (logits, cache)
    }
}

/// The SAE stage activations of one run, in the order they were produced.
final class SAERecorder {
    private(set) var entries: [(String, Tensor)] = []
    func record(_ key: String, _ value: Tensor) { entries.append((key, value)) }
}

/// One spliced SAE: captures the transcoder input, then replaces the output hook's activation.
final class SAESplice {
    let sae: SparseAutoencoder
    let output: String
    let useErrorTerm: Bool
    let stageHooks: [(String, HookFunction)]
    let recorder: SAERecorder
    private var captured: Tensor?

    init(sae: SparseAutoencoder, output: String, useErrorTerm: Bool, stageHooks: [(String, HookFunction)],
         recorder: SAERecorder) {
        (self.sae, self.output, self.useErrorTerm, self.stageHooks, self.recorder) = (sae, output, useErrorTerm, stageHooks, recorder)
    }

    /// Keeps the transcoder's input activation.
    var capture: HookFunction {
        { activation, _ in
            self.captured = activation
            return nil
        }
    }

    /// The SAE output (plus the error term) in place of the activation at the output hook.
    var replace: HookFunction {
        { activation, _ in
            let input = self.captured ?? activation
            self.captured = nil
            return try self.splice(input: input, original: activation)
        }
    }

    /// Runs the SAE on `input`, records its stages and returns what replaces `original`.
    private func splice(input: Tensor, original activation: Tensor) throws -> Tensor {
        let pass = try sae.run(input, edit: stageHooks.isEmpty ? nil : editStage)
        let key = output + "."
        recorder.record(key + "hook_sae_input", pass.input)
        recorder.record(key + "hook_sae_acts_pre", pass.actsPre)
        recorder.record(key + "hook_sae_acts_post", pass.actsPost)
        recorder.record(key + "hook_sae_recons", pass.recons)
        var result = pass.output
        if useErrorTerm {
            let clean = stageHooks.isEmpty ? pass.output : try sae.forward(input)
            let error = activation - clean
            recorder.record(key + "hook_sae_error", error)
            result = result + error
        }
        guard result.shape == activation.shape else {
            throw SAEError.invalidInput("the SAE output \(result.shape) does not fit \(output)'s \(activation.shape)")
        }
        recorder.record(key + "hook_sae_output", result)
        return result
    }

    /// Runs the user hooks attached to SAE stage `stage` (`hook_sae_acts_post`, …) in order.
    private func editStage(_ stage: String, _ value: Tensor) throws -> Tensor {
        var current = value
        let point = HookPoint(name: output + "." + stage)
        for (name, function) in stageHooks where name == point.name {
            guard let replaced = try function(current, point) else { continue }
            guard replaced.shape == current.shape else {
                throw ForwardError.hookShapeMismatch(hook: point.name, expected: current.shape, found: replaced.shape)
            }
            current = replaced
        }
        return current
    }
}
