// libFuzzer target: tokenizer.json (model, vocab, merges, added tokens, normalizers, pre-tokenizers,
// post-processors, decoders), then encode and decode with the tokenizer it describes.
import FuzzSupport
import JSONMutator
import Lens

JSONMutator.fieldNames = [
    "version", "model", "type", "vocab", "merges", "added_tokens", "id", "content", "special", "normalized",
    "lstrip", "rstrip", "single_word", "normalizer", "normalizers", "pre_tokenizer", "pretokenizers", "decoder",
    "decoders", "post_processor", "processors", "single", "pair", "special_tokens", "ids", "tokens", "Sequence",
    "SpecialToken", "truncation", "max_length", "padding", "pad_id", "pad_token", "strategy", "unk_token",
    "byte_fallback", "fuse_unk", "ignore_merges", "continuing_subword_prefix", "end_of_word_suffix", "dropout",
    "pattern", "Regex", "String", "behavior", "invert", "add_prefix_space", "trim_offsets", "use_regex",
    "replacement", "prepend_scheme", "split", "prepend", "append", "content", "start", "stop", "cls", "sep",
]
let texts = ["", "Hello world", " a  b\n\tc", "ÀÉ 中文 🎉", "<|endoftext|> x <s></s>", String(repeating: "ab ", count: 50)]

runFuzzer { bytes in
    guard let tokenizer = try? Tokenizer(json: Array(bytes)) else { return }
    for text in texts {
        let ids = tokenizer.encode(text)
        _ = tokenizer.decode(ids)
        _ = tokenizer.decode(ids.map { $0 &* 7 &- 3 }, skipSpecialTokens: true)
        _ = tokenizer.encodeWithTokens(text, addSpecialTokens: false)
    }
    _ = tokenizer.encodeBatch(texts)
    _ = tokenizer.decode([-1, Int.max, Int.min, tokenizer.vocabularySize])
}
