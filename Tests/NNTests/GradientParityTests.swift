import Foundation
import NN
import Testing

/// Records gradients at hook points (a hook point reached several times keeps the sum).
final class GradientRecorder: GradientHooks {
    private(set) var gradients: [String: Tensor] = [:]
    private(set) var order: [String] = []
    let names: Set<String>?

    /// Records every hook point (`names` nil) or only these.
    init(_ names: Set<String>? = nil) { self.names = names }

    func isActive(_ name: String) -> Bool { names?.contains(name) ?? true }

    func visit(_ name: String, _ gradient: Tensor) throws -> Tensor {
        if let previous = gradients[name] {
            gradients[name] = previous + gradient
        } else {
            gradients[name] = gradient
            order.append(name)
        }
        return gradient
    }
}

/// `mean_b (logits[b, -1, 3] − logits[b, -1, 5])` and its gradient: the metric of Scripts/fixtures/gradients.py.
func fixtureMetricGradient(_ logits: Tensor) -> Tensor {
    let (batch, length, vocabulary) = (logits.shape[0], logits.shape[1], logits.shape[2])
    var g = [Float](repeating: 0, count: logits.count)
    for b in 0..<batch {
        g[(b * length + length - 1) * vocabulary + 3] = 1 / Float(batch)
        g[(b * length + length - 1) * vocabulary + 5] = -1 / Float(batch)
    }
    return Tensor(g, shape: logits.shape)
}

/// Gradients of one fixture model for the fixture metric, at every hook point.
func fixtureGradients(_ model: HookedTransformer, tokens: Tensor, mask: Tensor? = nil,
                      lastPositionOnly: Bool = false) throws -> GradientRecorder {
    let pass = try model.forwardForBackward(tokens: tokens, attentionMask: mask, lastPositionOnly: lastPositionOnly)
    let recorder = GradientRecorder()
    try model.backward(pass, logitsGradient: fixtureMetricGradient(pass.logits), hooks: recorder)
    return recorder
}

/// Backward parity of every architecture against torch autograd (Scripts/fixtures/gradients.py): transformers'
/// fp32 eager gradients at each decoder layer's input (unprocessed weights), TransformerLens's backward-hook
/// gradients at every hook point (processed weights). Tolerance 1e-4, relative to the largest magnitude above 1.
@Suite struct GradientParityTests {
    static let root = ModelFixture.root.deletingLastPathComponent().appendingPathComponent("gradients")

    static func array(_ name: String, _ file: String) throws -> Tensor {
        try Tensor(npyContentsOf: root.appendingPathComponent(name).appendingPathComponent(file + ".npy").path)
    }

    /// The gradient at every `blocks.L.hook_resid_pre` equals transformers' at decoder layer L's input, for the
    /// fixture tokens and for a left-padded batch with its attention mask.
    @Test(arguments: ModelFixture.checkpoints)
    func residualGradientsMatchTransformers(name: String) throws {
        let model = try ModelFixture.model(name, processed: false)
        let cases: [(Tensor, Tensor?, String)] = [
            (try ModelFixture.array(name, "tokens"), nil, "hf_grad_resid_pre"),
            (try ModelFixture.array(name, "padded_tokens_left"), try ModelFixture.array(name, "padded_mask_left"),
             "hf_grad_resid_pre_padded"),
        ]
        for (tokens, mask, file) in cases {
            let recorder = try fixtureGradients(model, tokens: tokens, mask: mask)
            let reference = try Self.array(name, file)
            for layer in 0..<model.config.nLayers {
                let ours = try #require(recorder.gradients["blocks.\(layer).hook_resid_pre"])
                let error = scaledError(ours, reference[layer])
                #expect(error < 1e-4, "\(name) \(file) layer \(layer): scaled error \(error)")
            }
        }
    }

    /// Every hook point's gradient equals TransformerLens's backward-hook gradient (processed weights), and every
    /// hook point TransformerLens reaches in its backward pass is reached. The QK-norm hooks, which we give as
    /// `[batch·pos·heads, …]`, are compared by value.
    @Test(arguments: ModelFixture.checkpoints.filter { $0 != "gpt_neox_theta" })
    func hookGradientsMatchTransformerLens(name: String) throws {
        let model = try ModelFixture.model(name, processed: true)
        let recorder = try fixtureGradients(model, tokens: try ModelFixture.array(name, "tokens"))
        let archive = try NpzArchive(contentsOf: Self.root.appendingPathComponent("\(name)/tl_grads.npz").path)
        for hook in archive.names {
            let reference = try archive.tensor(hook)
            guard let ours = recorder.gradients[hook] else {
                Issue.record("\(name): no gradient at \(hook)")
                continue
            }
            let error = scaledError(ours.reshaped(reference.shape), reference)
            #expect(error < 1e-4, "\(name) \(hook): scaled error \(error)")
        }
    }

    /// With `hook_result`, split q/k/v inputs and `hook_mlp_in` on, those hook points' gradients match too.
    @Test func splitInputGradientsMatchTransformerLens() throws {
        var model = try ModelFixture.model("gpt2", processed: true)
        model.setUseAttnResult(true)
        model.setUseSplitQKVInput(true)
        model.setUseHookMLPIn(true)
        let recorder = try fixtureGradients(model, tokens: try ModelFixture.array("gpt2", "tokens"))
        let archive = try NpzArchive(contentsOf: Self.root.appendingPathComponent("gpt2/tl_grads_split.npz").path)
        for hook in archive.names {
            let ours = try #require(recorder.gradients[hook], "no gradient at \(hook)")
            let error = scaledError(ours, try archive.tensor(hook))
            #expect(error < 1e-4, "\(hook): scaled error \(error)")
        }
    }

    /// A last-position pass gives the same gradients, the final hooks' zero-padded to every position.
    @Test(arguments: ["gpt2", "gemma2"])
    func lastPositionPassMatchesFullPass(name: String) throws {
        let model = try ModelFixture.model(name, processed: true)
        let tokens = try ModelFixture.array(name, "tokens")
        let full = try fixtureGradients(model, tokens: tokens)
        let last = try fixtureGradients(model, tokens: tokens, lastPositionOnly: true)
        #expect(Set(full.order) == Set(last.order))
        for hook in full.order {
            let error = scaledError(last.gradients[hook]!, full.gradients[hook]!)
            #expect(error < 1e-5, "\(name) \(hook): scaled error \(error)")
        }
    }
}

/// Adds `scale · direction` to one hook point's activation.
struct Nudge: ActivationHooks {
    let name: String
    let direction: Tensor
    let scale: Float

    func isActive(_ hook: String) -> Bool { hook == name }
    func visit(_ hook: String, _ value: Tensor) throws -> Tensor { value + direction * scale }
}

/// The whole backward pass against central differences of the Float32 forward pass, along random unit directions
/// at `blocks.0.hook_resid_pre`: ⟨gradient, v⟩ = (m(x + h v) − m(x − h v)) / 2h within 1e-3 relative to
/// max(1, |⟨gradient, v⟩|) (Float32 differences with h = 1e-2: rounding ~|m|·1e-7 / h and truncation ~h² leave
/// about 1e-4).
@Suite struct ModelFiniteDifferenceTests {
    @Test(arguments: ["gpt2", "llama", "gemma2", "qwen3", "gptj"])
    func directionalDerivative(name: String) throws {
        let model = try ModelFixture.model(name, processed: false)
        let tokens = try ModelFixture.array(name, "tokens")
        let hook = "blocks.0.hook_resid_pre"
        let recorder = try fixtureGradients(model, tokens: tokens)
        let gradient = try #require(recorder.gradients[hook])
        func metric(_ hooks: (any ActivationHooks)?) throws -> Float {
            let logits = try model.forward(tokens: tokens, hooks: hooks)
            return (fixtureMetricGradient(logits) * logits).sum().item()
        }
        for seed in [1, 2] as [UInt64] {
            let raw = Tensor.randomNormal(gradient.shape, seed: seed)
            let v = raw / raw.square().sum().sqrt().item()
            let h: Float = 1e-2
            let numeric = (try metric(Nudge(name: hook, direction: v, scale: h))
                           - metric(Nudge(name: hook, direction: v, scale: -h))) / (2 * h)
            let analytic = (gradient * v).sum().item()
            #expect(Swift.abs(numeric - analytic) < 1e-3 * max(1, Swift.abs(analytic)), "\(name): \(numeric) vs \(analytic)")
        }
    }
}
