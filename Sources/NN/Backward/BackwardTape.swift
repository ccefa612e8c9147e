/// The activations a backward pass reads, recorded during the forward pass through the hook points (after the
/// user's forward hooks, so they are the values the pass used), and handed back to the backward pass in
/// reverse order. A hook point reached several times (a norm applied to split q/k/v inputs) keeps every value.
///
/// What is kept per block, for `N = batch·pos` tokens and `K` keys per query (`K = pos` without a cache), in
/// floats: each norm's `hook_normalized` and `hook_scale` (`N·(d_model + 1)`, the QK norms `N·heads·(d_head + 1)`);
/// the attention's `v` and the `q`, `k` the scores were made from (`N·(n_heads + 2·n_kv)·d_head`); the pattern
/// (`batch·n_heads·pos·K`; the scores too with a score soft-cap); the MLP's `hook_pre` (and `hook_pre_linear` when
/// gated) (`N·d_mlp`, `2·N·d_mlp`). After the blocks: the final norm's two hooks (`N·(d_model + 1)`, or for the last
/// position only). Nothing else: the residual stream, `z` and the MLP output are not kept; the logits are the pass's
/// output (`N·d_vocab`, or `batch·d_vocab` for the last position only). So a backward of `N` tokens of GPT-2 small
/// (12 layers, d_model 768, 12 heads, d_mlp 3072) keeps `4·12·(2·769 + 3·768 + 3072 + 12·pos)·N` bytes: 27.6 KB per
/// token per layer plus the patterns (6.1 KB per token at 128 tokens), 52 MB for one sequence of 128 tokens.
final class BackwardTape: ActivationHooks {
    /// The user's forward hooks, which run first.
    let user: (any ActivationHooks)?
    private let wanted: Set<String>
    private var values: [String: [Tensor]] = [:]

    /// A tape recording the hook points `wanted`, after `user`'s hooks.
    init(wanted: Set<String>, user: (any ActivationHooks)?) {
        self.wanted = wanted
        self.user = user
    }

    func isActive(_ name: String) -> Bool { wanted.contains(name) || user?.isActive(name) == true }

    func visit(_ name: String, _ value: Tensor) throws -> Tensor {
        var current = value
        if let user, user.isActive(name) {
            current = try user.visit(name, value)
            guard current.shape == value.shape else {
                throw ForwardError.hookShapeMismatch(hook: name, expected: value.shape, found: current.shape)
            }
        }
        if wanted.contains(name) { values[name, default: []].append(current) }
        return current
    }

    /// The last value recorded at `name` (removed, so memory is released as the backward pass proceeds).
    func pop(_ name: String) throws -> Tensor {
        guard let value = values[name]?.popLast() else {
            throw BackwardError.invalidInput("the forward recording has no value at \(name) (was it already used?)")
        }
        return value.converted(to: .float32)
    }

    /// The last value recorded at `name`, left in place.
    func peek(_ name: String) throws -> Tensor {
        guard let value = values[name]?.last else {
            throw BackwardError.invalidInput("the forward recording has no value at \(name)")
        }
        return value.converted(to: .float32)
    }

    /// Total bytes held.
    var byteCount: Int { values.values.joined().reduce(0) { $0 + $1.count * 4 } }
}

extension HookedTransformer {
    /// The hook points whose values a backward pass reads (see `BackwardTape`).
    func backwardTapeNames() -> Set<String> {
        var names: Set<String> = []
        func norm(_ layer: (any NormalizationLayer)?) {
            guard let layer else { return }
            names.formUnion([layer.name + ".hook_scale", layer.name + ".hook_normalized"])
        }
        for block in blocks {
            let a = block.attn, attn = a.name
            norm(block.ln1)
            norm(block.ln1Post)
            norm(block.ln2)
            norm(block.ln2Post)
            norm(a.qNorm)
            norm(a.kNorm)
            names.formUnion([attn + ".hook_v", attn + ".hook_pattern"])
            if a.rotary != nil {
                names.formUnion([attn + ".hook_rot_q", attn + ".hook_rot_k"])
            } else if a.qNorm == nil {
                names.formUnion([attn + ".hook_q", attn + ".hook_k"])
            }
            if a.softCap != nil { names.insert(attn + ".hook_attn_scores") }
            if let mlp = block.mlp {
                names.insert(mlp.name + ".hook_pre")
                if mlp is GatedMLP { names.insert(mlp.name + ".hook_pre_linear") }
            }
        }
        norm(lnFinal)
        return names
    }
}
