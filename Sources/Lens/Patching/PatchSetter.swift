/// How one patch writes the source (clean) activation into the patched run's activation: TransformerLens's
/// patch setters. `index` is one row of the sweep's index table; its first entry is the layer.
public enum PatchSetter {
    /// `index = [layer, pos]`: `act[:, pos] = source[:, pos]` (`layer_pos_patch_setter`, any `[batch, pos, ...]`).
    case layerPos
    /// `index = [layer, pos, head]`: `act[:, pos, head] = source[:, pos, head]` (`layer_pos_head_vector_patch_setter`,
    /// head vectors `q k v z result` `[batch, pos, head, d_head]`).
    case layerPosHeadVector
    /// `index = [layer, head]`: `act[:, :, head] = source[:, :, head]` (`layer_head_vector_patch_setter`).
    case layerHeadVector
    /// `index = [layer, head]`: `act[:, head] = source[:, head]` (`layer_head_pattern_patch_setter`, patterns and
    /// scores `[batch, head, dest, src]`).
    case layerHeadPattern
    /// `index = [layer, head, dest]`: `act[:, head, dest] = source[:, head, dest]` (`layer_head_pos_pattern_patch_setter`).
    case layerHeadPosPattern
    /// `index = [layer, head, dest, src]`: `act[:, head, dest, src] = source[:, head, dest, src]`
    /// (`layer_head_dest_src_pos_pattern_patch_setter`).
    case layerHeadDestSrcPosPattern
    /// Any edit: `(activation [batch, ...], index, source [batch, ...]) -> patched activation` (same shape).
    case custom((_ activation: Tensor, _ index: [Int], _ source: Tensor) throws -> Tensor)

    /// The number of index entries the setter reads, nil for a custom setter.
    var indexLength: Int? {
        switch self {
        case .layerPos, .layerHeadVector, .layerHeadPattern: return 2
        case .layerPosHeadVector, .layerHeadPosPattern: return 3
        case .layerHeadDestSrcPosPattern: return 4
        case .custom: return nil
        }
    }

    /// The region one index selects after the batch axis, nil for a custom setter.
    func region(_ index: [Int]) -> [TensorIndex]? {
        switch self {
        case .layerPos: return [.at(index[1])]
        case .layerPosHeadVector: return [.at(index[1]), .at(index[2])]
        case .layerHeadVector: return [.all, .at(index[1])]
        case .layerHeadPattern: return [.at(index[1])]
        case .layerHeadPosPattern: return [.at(index[1]), .at(index[2])]
        case .layerHeadDestSrcPosPattern: return [.at(index[1]), .at(index[2]), .at(index[3])]
        case .custom: return nil
        }
    }

    /// The first sequence position a patch at `index` changes (0 when it touches every position or the setter
    /// is custom): positions before it keep their values in a causal model.
    func firstPosition(_ index: [Int]) -> Int {
        switch self {
        case .layerPos, .layerPosHeadVector: return index[1]
        case .layerHeadPosPattern, .layerHeadDestSrcPosPattern: return index[2]
        case .layerHeadVector, .layerHeadPattern, .custom: return 0
        }
    }

    /// Whether a patch writes only the position `firstPosition` names (not every position).
    var writesOnePosition: Bool {
        switch self {
        case .layerPos, .layerPosHeadVector, .layerHeadPosPattern, .layerHeadDestSrcPosPattern: return true
        case .layerHeadVector, .layerHeadPattern, .custom: return false
        }
    }

    /// `index` for an activation whose (destination) positions start at `offset`.
    func shifted(_ index: [Int], by offset: Int) -> [Int] {
        guard offset != 0 else { return index }
        var moved = index
        switch self {
        case .layerPos, .layerPosHeadVector: moved[1] -= offset
        case .layerHeadPosPattern, .layerHeadDestSrcPosPattern: moved[2] -= offset
        case .layerHeadVector, .layerHeadPattern, .custom: break
        }
        return moved
    }

    /// Writes the patch for `index` into rows `rows` of `activation` (`[variants·batch, ...]`) from
    /// `source` (`[batch, ...]`).
    func apply(_ activation: inout Tensor, rows: Range<Int>, index: [Int], source: Tensor) throws {
        let batchRows = TensorIndex.slice(start: rows.lowerBound, end: rows.upperBound, step: 1)
        if let region = region(index) {
            let selected = try source.indexed([.all] + region)
            try checkRegion(activation, [batchRows] + region, index)
            activation.assign(selected, to: [batchRows] + region)
            return
        }
        guard case let .custom(edit) = self else { return }
        let current = activation[batchRows].contiguous()
        let patched = try edit(current, index, source)
        guard patched.shape == current.shape else {
            throw LensError.invalidArgument("a custom patch setter returned \(patched.shape) for an activation of \(current.shape)")
        }
        activation[batchRows] = patched
    }

    /// Throws when `index` falls outside `activation` (an index table built for another shape).
    private func checkRegion(_ activation: Tensor, _ region: [TensorIndex], _ index: [Int]) throws {
        do { _ = try activation.indexed(region) } catch {
            throw LensError.invalidArgument("patch index \(index) does not fit an activation of shape \(activation.shape)")
        }
    }
}

/// An axis a sweep iterates over, with TransformerLens's names (`layer`, `pos`, `head_index`, `head`,
/// `src_pos`, `dest_pos`).
public enum PatchAxis: String, Sendable, CaseIterable {
    /// Every block.
    case layer
    /// Every position of the tokens.
    case pos
    /// Every head (key/value heads for `k`, `v` activations of grouped-query models).
    case headIndex = "head_index"
    /// Same as `headIndex`.
    case head
    /// Every source position.
    case srcPos = "src_pos"
    /// Every destination position.
    case destPos = "dest_pos"

    /// The axis extent: `head` / `head_index` count key/value heads for the `k` and `v` activations of a
    /// model with `n_key_value_heads` set (as TransformerLens does).
    func extent(config: ModelConfig, positions: Int, activation: String) -> Int {
        switch self {
        case .layer: return config.nLayers
        case .pos, .srcPos, .destPos: return positions
        case .head, .headIndex:
            return ["k", "v"].contains(activation) ? config.keyValueHeads : config.nHeads
        }
    }
}
