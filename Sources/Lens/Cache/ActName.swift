/// The full hook name for a TransformerLens shorthand (`utils.get_act_name`), with its exact rules:
///
/// - a name containing `.` or starting with `hook_`, given without layer or type, is returned as it is;
/// - otherwise a name of the form letters-digits-rest (`k6`, `scale4ln1`, `pre5`) is split into name,
///   layer and layer type;
/// - aliases: `attn` → `pattern`, `attn_logits` → `attn_scores`, `key`/`query`/`value` → `k`/`q`/`v`,
///   `mlp_pre`/`mlp_mid`/`mlp_post` → `pre`/`mid`/`post`;
/// - `q k v z rot_q rot_k result pattern attn_scores` live in `attn`, `pre post mid pre_linear` in `mlp`;
///   other layer types are read through `a` → `attn`, `m` → `mlp`, `b`/`block`/`blocks`/`attention`;
/// - `scale` and `normalized` without a layer belong to `ln_final`.
///
/// `getActName("resid_post", layer: 11)` is `blocks.11.hook_resid_post`, `getActName("k6")` is
/// `blocks.6.attn.hook_k`, `getActName("scale4ln1")` is `blocks.4.ln1.hook_scale`, `getActName("scale")` is
/// `ln_final.hook_scale`.
public func getActName(_ name: String, layer: Int? = nil, layerType: String? = nil) -> String {
    if (name.contains(".") || name.hasPrefix("hook_")) && layer == nil && layerType == nil { return name }
    var base = name, layerText = layer.map(String.init), type = layerType
    if let split = splitShorthand(name) { (base, layerText, type) = (split.name, split.layer, split.type) }
    let aliases = ["attn": "pattern", "attn_logits": "attn_scores", "key": "k", "query": "q", "value": "v",
                   "mlp_pre": "pre", "mlp_mid": "mid", "mlp_post": "post"]
    base = aliases[base] ?? base
    let typeAliases = ["a": "attn", "m": "mlp", "b": "", "block": "", "blocks": "", "attention": "attn"]
    if ["k", "v", "q", "z", "rot_k", "rot_q", "result", "pattern", "attn_scores"].contains(base) {
        type = "attn"
    } else if ["pre", "post", "mid", "pre_linear"].contains(base) {
        type = "mlp"
    } else if let t = type, let alias = typeAliases[t] {
        type = alias
    }
    var full = layerText.map { "blocks.\($0)." } ?? ""
    if let type, !type.isEmpty { full += type + "." }
    full += "hook_" + base
    if ["scale", "normalized"].contains(base), layerText == nil { full = "ln_final." + full }
    return full
}

/// Python's `re.match(r"([a-z]+)(\d+)([a-z]?.*)", name)`: leading lowercase letters, then digits, then the
/// rest (the layer type). Nil when the name does not start that way.
private func splitShorthand(_ name: String) -> (name: String, layer: String, type: String)? {
    let scalars = Array(name.unicodeScalars)
    var i = 0
    while i < scalars.count, ("a"..."z").contains(scalars[i]) { i += 1 }
    guard i > 0 else { return nil }
    var j = i
    while j < scalars.count, ("0"..."9").contains(scalars[j]) { j += 1 }
    guard j > i else { return nil }
    func text(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[range])) }
    return (text(0..<i), text(i..<j), text(j..<scalars.count))
}
