/// TransformerLens's ready-made activation-patching sweeps (`patching.get_act_patch_*`), with their output
/// shapes. `k` / `v` sweeps of grouped-query models run over the key/value heads.
public enum PatchSweep: String, Sendable, CaseIterable {
    /// `get_act_patch_resid_pre`: `[n_layers, pos]`.
    case residPre = "resid_pre"
    /// `get_act_patch_resid_mid`: `[n_layers, pos]`.
    case residMid = "resid_mid"
    /// `hook_resid_post` by layer and position (no TransformerLens function): `[n_layers, pos]`.
    case residPost = "resid_post"
    /// `get_act_patch_attn_out`: `[n_layers, pos]`.
    case attnOut = "attn_out"
    /// `get_act_patch_mlp_out`: `[n_layers, pos]`.
    case mlpOut = "mlp_out"
    /// `get_act_patch_block_every`: resid_pre, attn_out, mlp_out stacked, `[3, n_layers, pos]`.
    case blockEvery = "block_every"
    /// `get_act_patch_attn_head_out_all_pos` (`hook_z`): `[n_layers, n_heads]`.
    case headZAllPos = "head_z_all_pos"
    /// `get_act_patch_attn_head_q_all_pos`: `[n_layers, n_heads]`.
    case headQAllPos = "head_q_all_pos"
    /// `get_act_patch_attn_head_k_all_pos`: `[n_layers, n_kv_heads]`.
    case headKAllPos = "head_k_all_pos"
    /// `get_act_patch_attn_head_v_all_pos`: `[n_layers, n_kv_heads]`.
    case headVAllPos = "head_v_all_pos"
    /// `get_act_patch_attn_head_pattern_all_pos`: `[n_layers, n_heads]`.
    case headPatternAllPos = "head_pattern_all_pos"
    /// `get_act_patch_attn_head_all_pos_every`: z, q, k, v, pattern stacked (k, v zero-padded to n_heads),
    /// `[5, n_layers, n_heads]`.
    case headAllPosEvery = "head_all_pos_every"
    /// `get_act_patch_attn_head_out_by_pos`: `[n_layers, pos, n_heads]`.
    case headZByPos = "head_z_by_pos"
    /// `get_act_patch_attn_head_q_by_pos`: `[n_layers, pos, n_heads]`.
    case headQByPos = "head_q_by_pos"
    /// `get_act_patch_attn_head_k_by_pos`: `[n_layers, pos, n_kv_heads]`.
    case headKByPos = "head_k_by_pos"
    /// `get_act_patch_attn_head_v_by_pos`: `[n_layers, pos, n_kv_heads]`.
    case headVByPos = "head_v_by_pos"
    /// `get_act_patch_attn_head_pattern_by_pos` (by destination): `[n_layers, n_heads, dest_pos]`.
    case headPatternByPos = "head_pattern_by_pos"
    /// `get_act_patch_attn_head_by_pos_every`: z, q, k, v, pattern (rearranged to `[layer, pos, head]`),
    /// `[5, n_layers, pos, n_heads]`.
    case headByPosEvery = "head_by_pos_every"
    /// `get_act_patch_attn_head_pattern_dest_src_pos`: `[n_layers, n_heads, dest_pos, src_pos]`.
    case headPatternDestSrcPos = "head_pattern_dest_src_pos"

    /// TransformerLens's function name for the sweep (`get_act_patch_…`).
    public var transformerLensName: String {
        switch self {
        case .residPre, .residMid, .residPost, .attnOut, .mlpOut, .blockEvery: return "get_act_patch_" + rawValue
        case .headZAllPos: return "get_act_patch_attn_head_out_all_pos"
        case .headZByPos: return "get_act_patch_attn_head_out_by_pos"
        default: return "get_act_patch_attn_" + rawValue
        }
    }

    /// The sweep called `name`: its raw value (`resid_pre`, `head_z_all_pos`, …), TransformerLens's function
    /// name with or without `get_act_patch_` (`attn_head_out_all_pos`), nil for anything else.
    public init?(named name: String) {
        let bare = name.hasPrefix("get_act_patch_") ? String(name.dropFirst("get_act_patch_".count)) : name
        guard let sweep = PatchSweep.allCases.first(where: {
            $0.rawValue == bare || $0.transformerLensName == "get_act_patch_" + bare
        }) else { return nil }
        self = sweep
    }

    /// The single sweeps an "every" sweep stacks (itself for a single sweep).
    var parts: [PatchSweep] {
        switch self {
        case .blockEvery: return [.residPre, .attnOut, .mlpOut]
        case .headAllPosEvery: return [.headZAllPos, .headQAllPos, .headKAllPos, .headVAllPos, .headPatternAllPos]
        case .headByPosEvery: return [.headZByPos, .headQByPos, .headKByPos, .headVByPos, .headPatternByPos]
        default: return [self]
        }
    }

    /// The activation (`getActName` short name), setter and index axes of a single sweep.
    var definition: (activation: String, setter: PatchSetter, axes: [PatchAxis]) {
        switch self {
        case .residPre, .residMid, .residPost, .attnOut, .mlpOut: return (rawValue, .layerPos, [.layer, .pos])
        case .headZAllPos: return ("z", .layerHeadVector, [.layer, .head])
        case .headQAllPos: return ("q", .layerHeadVector, [.layer, .head])
        case .headKAllPos: return ("k", .layerHeadVector, [.layer, .head])
        case .headVAllPos: return ("v", .layerHeadVector, [.layer, .head])
        case .headPatternAllPos: return ("pattern", .layerHeadPattern, [.layer, .headIndex])
        case .headZByPos: return ("z", .layerPosHeadVector, [.layer, .pos, .head])
        case .headQByPos: return ("q", .layerPosHeadVector, [.layer, .pos, .head])
        case .headKByPos: return ("k", .layerPosHeadVector, [.layer, .pos, .head])
        case .headVByPos: return ("v", .layerPosHeadVector, [.layer, .pos, .head])
        case .headPatternByPos: return ("pattern", .layerHeadPosPattern, [.layer, .headIndex, .destPos])
        case .headPatternDestSrcPos:
            return ("pattern", .layerHeadDestSrcPosPattern, [.layer, .headIndex, .destPos, .srcPos])
        case .blockEvery, .headAllPosEvery, .headByPosEvery:
            programmerError("PatchSweep.definition: \(self) stacks several sweeps")
        }
    }

    /// Stacks the results of `parts` the way TransformerLens does: `k`/`v` head axes zero-padded to the
    /// query heads, the by-position pattern rearranged `layer head pos -> layer pos head`.
    func combine(_ results: [Tensor], nHeads: Int) -> Tensor {
        guard results.count > 1 else { return results[0] }
        let aligned = zip(parts, results).map { (part, result) -> Tensor in
            if part == .headPatternByPos { return result.permuted([0, 2, 1]).contiguous() }
            let heads = result.shape[result.rank - 1]
            guard self != .blockEvery, heads < nHeads else { return result }
            var padded = Tensor(zeros: Array(result.shape.dropLast()) + [nHeads])
            padded[.ellipsis, 0..<heads] = result
            return padded
        }
        return Tensor.stack(aligned, axis: 0)
    }
}
