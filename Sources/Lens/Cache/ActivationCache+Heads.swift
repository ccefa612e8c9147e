/// Per-head decompositions of the attention outputs.
extension ActivationCache {
    /// Every head's output of `layer` `[..., pos, head, d_model]` (`result = z · W_O[head]`, without `b_O`),
    /// read from a cached `hook_result` or computed from `hook_z`, with `posSlice` on the position axis.
    public func headResults(layer: Int, posSlice: AxisSlice = .all) throws -> Tensor {
        if let cached = value(forKey: "blocks.\(layer).attn.hook_result") {
            return try posSlice.apply(cached, axis: -3)
        }
        let z = try posSlice.apply(try self["z", layer], axis: -3)
        return perHead(z, model.blocks[layer].attn.W_O)
    }

    /// Stores `blocks.L.attn.hook_result` for every layer that lacks it (`compute_head_results`).
    public mutating func computeHeadResults() throws {
        for l in 0..<model.config.nLayers where value(forKey: "blocks.\(l).attn.hook_result") == nil {
            set(try headResults(layer: l), forKey: "blocks.\(l).attn.hook_result")
        }
    }

    /// The output of every head of the layers before `layer` (nil / -1: all), `[layer·n_heads, ..., d_model]`
    /// in order `L0H0, L0H1, …` (`stack_head_results`). `inclRemainder` appends `resid_post` of layer
    /// `layer - 1` minus the heads' sum (`remainder`); `applyLn` scales by the cached norm of `layer`.
    public func stackHeadResults(layer: Int? = nil, inclRemainder: Bool = false, posSlice: AxisSlice = .all,
                                 applyLn: Bool = false) throws -> Tensor {
        try stackHeadResults(layer: layer, inclRemainder: inclRemainder, posSlice: posSlice, applyLn: applyLn,
                             returnLabels: false).stack
    }

    /// `stackHeadResults` with the labels `L0H0`, …, `remainder` when `returnLabels` is true (empty otherwise).
    public func stackHeadResults(layer: Int? = nil, inclRemainder: Bool = false, posSlice: AxisSlice = .all,
                                 applyLn: Bool = false, returnLabels: Bool) throws -> (stack: Tensor, labels: [String]) {
        let top = try residualLayer(layer, "stackHeadResults")
        var labels = (0..<top).flatMap { l in (0..<model.config.nHeads).map { "L\(l)H\($0)" } }
        var stack: Tensor
        if top > 0 {
            stack = componentsFirst(Tensor.concat(try (0..<top).map { try headResults(layer: $0, posSlice: posSlice) }, axis: -2))
        } else {
            stack = Tensor(zeros: [0] + (try posSlice.apply(try self["hook_embed"], axis: -2)).shape)
        }
        if inclRemainder {
            let total = try posSlice.apply(try self["resid_post", top - 1], axis: -2)
            let remainder = top > 0 ? total - stack.sum(axis: 0) : total
            stack = Tensor.concat([stack, remainder.unsqueezed(0)], axis: 0)
            labels.append("remainder")
        }
        if applyLn { stack = try applyLnToStack(stack, layer: top, posSlice: posSlice) }
        return (stack, returnLabels ? labels : [])
    }

    /// The activation `getActName(name, layer: l, layerType:)` of every layer before `layer` (nil / -1: all),
    /// stacked on a new leading axis (`stack_activation`).
    public func stackActivation(_ name: String, layer: Int? = nil, sublayerType: String? = nil) throws -> Tensor {
        let top = try residualLayer(layer, "stackActivation")
        guard top > 0 else { throw LensError.invalidArgument("stackActivation: no layers before layer 0") }
        return Tensor.stack(try (0..<top).map { try self[name, $0, sublayerType] }, axis: 0)
    }

    /// `x [..., n, width]` reordered to `[n, ..., width]` (the component axis first).
    func componentsFirst(_ x: Tensor) -> Tensor {
        let r = x.rank
        return x.permuted([r - 2] + Array(0..<(r - 2)) + [r - 1])
    }
}

/// `out[..., h, :] = v[..., h, :] · W[h]` for `v [..., heads, k]` and `W [heads, k, n]`: one GEMM per head.
func perHead(_ v: Tensor, _ weight: Tensor) -> Tensor {
    let heads = weight.shape[0], k = weight.shape[1], n = weight.shape[2]
    let leading = Array(v.shape.dropLast(2))
    let rows = leading.reduce(1, *)
    let byHead = v.reshaped([rows, heads, k]).permuted([1, 0, 2]).matmul(weight)
    return byHead.permuted([1, 0, 2]).reshaped(leading + [heads, n])
}
