extension Attention {
    /// Attention output `[batch, 1, d_model]` for the last query of `x` only (`[batch, pos, d_model]`, the
    /// normalised input), with keys and values from every position of `x` after those in the context's
    /// cache (appended to it). The same numbers as the last row of `forward`, without its hooks: the last
    /// block of a pass read only at its last position.
    func forwardLastQuery(_ x: Tensor, layer: Int, context: ForwardContext) throws -> Tensor {
        let (batch, length) = (x.shape[0], x.shape[1])
        var k = project(x, part: 1), v = project(x, part: 2)
        var q = project(x[.all, (length - 1)...], part: 0)
        if let qNorm, let kNorm {
            q = try qNorm.forward(q.reshaped([-1, dHead]), hooks: nil).reshaped(q.shape)
            k = try kNorm.forward(k.reshaped([-1, dHead]), hooks: nil).reshaped(k.shape)
        }
        if let rotary, let angles = context.rotaryAngles {
            let last = (length - 1)...
            q = rotary.apply(q, cos: angles.cos[.all, last], sin: angles.sin[.all, last])
            k = rotary.apply(k, cos: angles.cos, sin: angles.sin)
        }
        if let cache = context.cache { (k, v) = cache.append(layer: layer, k: k, v: v) }
        let layout = context.layout
        let lastQuery = ForwardContext(
            hooks: HookRunner(hooks: nil),
            layout: SequenceLayout(batch: batch, length: 1, past: layout.past + length - 1, keyMask: layout.keyMask),
            rotaryAngles: nil, cache: nil, config: context.config)
        return output(mix(try attentionPattern(q: q, k: k, context: lastQuery), v))
    }
}
