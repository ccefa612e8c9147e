// libFuzzer target: model config.json in both formats (Hugging Face, every architecture; TransformerLens
// HookedTransformerConfig), then the memory plan a loader checks before reading weights.
import FuzzSupport
import Foundation
import JSONMutator
import Lens

let scratch = Scratch("config")
JSONMutator.fieldNames = [
    "model_type", "n_embd", "n_head", "n_layer", "n_ctx", "n_positions", "n_inner", "vocab_size", "hidden_size",
    "num_attention_heads", "num_key_value_heads", "num_hidden_layers", "intermediate_size", "head_dim",
    "max_position_embeddings", "rope_theta", "rotary_emb_base", "rotary_pct", "partial_rotary_factor", "rope_scaling",
    "rope_parameters", "factor", "rope_type", "type", "low_freq_factor", "high_freq_factor",
    "original_max_position_embeddings", "sliding_window", "use_sliding_window", "max_window_layers", "layer_types",
    "rms_norm_eps", "layer_norm_eps", "layer_norm_epsilon", "attn_logit_softcapping", "final_logit_softcapping",
    "query_pre_attn_scalar", "rotary_dim", "ffn_dim", "word_embed_proj_dim", "bos_token_id", "eos_token_id",
    "pad_token_id", "tie_word_embeddings", "hidden_act", "activation_function", "d_model", "d_head", "n_heads",
    "n_layers", "d_vocab", "d_vocab_out", "d_mlp", "n_key_value_heads", "act_fn", "normalization_type",
    "positional_embedding_type", "rotary_base", "window_size", "attn_types", "use_local_attn", "eps", "attn_scale",
    "attn_scores_soft_cap", "output_logits_soft_cap", "use_NTK_by_parts_rope", "NTK_by_parts_factor",
    "NTK_by_parts_low_freq_factor", "NTK_by_parts_high_freq_factor", "NTK_original_ctx_len", "attn_only",
    "gated_mlp", "parallel_attn_mlp", "final_rms", "use_qk_norm", "use_normalization_before_and_after",
]

runFuzzer { bytes in
    let url = URL(fileURLWithPath: scratch.write(bytes, to: "config.json"))
    for read in [{ try ModelConfig(huggingFace: url) }, { try ModelConfig(transformerLens: url) }] {
        guard let config = try? read() else { continue }
        _ = try? config.checkMemory()
        _ = config.attentionScoreDivisor(layer: config.nLayers - 1)
    }
}
