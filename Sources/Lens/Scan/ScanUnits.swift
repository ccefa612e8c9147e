import Foundation

/// A set of units whose activations a corpus scan records: MLP neurons, SAE features, attention heads, linear
/// directions, or any set a user defines by conforming.
///
/// A scan captures the activations at `hooks` for a batch (each `[batch, pos, ...]`, as TransformerLens shapes
/// them) and asks `activations` for one row per token and one column per unit.
public protocol ScanUnits: Sendable {
    /// A name unique within a scan, e.g. `blocks.1.mlp.hook_post`.
    var name: String { get }
    /// The kind: `neuron`, `sae_feature`, `head`, `direction`, or a user's own.
    var kind: String { get }
    /// The hook points read.
    var hooks: [String] { get }
    /// Number of units.
    var count: Int { get }
    /// What identifies these units beyond their name (weights of an SAE or directions, as a hash): a database
    /// written with a different value belongs to another scan.
    var fingerprint: String { get }
    /// A short label of unit `unit`, e.g. `L1N23`, `F17`, `L1H3`.
    func label(_ unit: Int) -> String
    /// Throws `ScanError.unitMismatch` when the units do not fit `model` (a hook it lacks, a width that differs).
    func validate(for model: HookedTransformer) throws
    /// Activations `[tokens, count]` from the captured hook activations (keyed by hook name).
    func activations(_ captured: [String: Tensor]) throws -> Tensor
    /// Each unit's output direction in the residual stream `[count, d_model]`, for logit effects; nil if none.
    func outputDirections(_ model: HookedTransformer) throws -> Tensor?
}

extension ScanUnits {
    /// The activation at `hook` in `captured`, or a `ScanError.unitMismatch` naming it.
    func captured(_ captured: [String: Tensor], _ hook: String) throws -> Tensor {
        guard let value = captured[hook] else { throw ScanError.unitMismatch(name, reason: "no activation captured at \(hook)") }
        return value
    }

    /// Checks that `model` has `hook` enabled.
    func requireHook(_ hook: String, in model: HookedTransformer) throws {
        do { try model.hookRegistry.validate(hook) } catch { throw ScanError.unitMismatch(name, reason: "\(error)") }
    }
}

/// The trailing shape of a hook's activation after `[batch, pos]`, where the config determines it.
func hookWidth(_ hook: String, _ config: ModelConfig) -> [Int]? {
    let leaf = hook.split(separator: ".").last.map(String.init) ?? hook
    switch leaf {
    case "hook_resid_pre", "hook_resid_mid", "hook_resid_post", "hook_attn_out", "hook_mlp_out", "hook_embed",
         "hook_pos_embed", "hook_normalized":
        return [config.dModel]
    case "hook_pre", "hook_post": return hook.contains(".mlp.") ? config.dMLP.map { [$0] } : nil
    case "hook_z", "hook_q": return [config.nHeads, config.dHead]
    case "hook_k", "hook_v": return [config.keyValueHeads, config.dHead]
    case "hook_result": return [config.nHeads, config.dModel]
    default: return nil
    }
}

/// Whether what a hook carries is a vector in the residual stream (so a direction there has logit effects).
func isResidualSpace(_ hook: String) -> Bool {
    ["hook_resid_pre", "hook_resid_mid", "hook_resid_post", "hook_attn_out", "hook_mlp_out", "hook_embed", "hook_pos_embed"]
        .contains { hook.hasSuffix($0) }
}

/// A 16-hex-digit hash of tensors' shapes and every element's bits.
func weightsFingerprint(_ tensors: [Tensor]) -> String {
    var hash = FNV1a()
    for tensor in tensors {
        hash.add(Array(tensor.shape.description.utf8))
        tensor.withContiguousFloats { hash.add(UnsafeRawBufferPointer(start: $0, count: tensor.count * 4)) }
    }
    return hash.hex
}

/// The MLP neurons of one layer, read at `blocks.L.mlp.hook_post`.
public struct NeuronUnits: ScanUnits {
    /// The layer.
    public let layer: Int
    /// `d_mlp`.
    public let count: Int

    /// Layer `layer`'s neurons of `model`; throws `ScanError.unitMismatch` for an attention-only model or a layer
    /// out of range.
    public init(layer: Int, model: HookedTransformer) throws {
        let name = "blocks.\(layer).mlp.hook_post"
        guard (0..<model.config.nLayers).contains(layer) else {
            throw ScanError.unitMismatch(name, reason: "layer \(layer) is outside the model's \(model.config.nLayers) layers")
        }
        guard let dMLP = model.config.dMLP, !model.config.attnOnly else {
            throw ScanError.unitMismatch(name, reason: "the model has no MLP layers")
        }
        self.layer = layer
        count = dMLP
    }

    public var name: String { "blocks.\(layer).mlp.hook_post" }
    public var kind: String { "neuron" }
    public var hooks: [String] { [name] }
    public var fingerprint: String { "neurons" }
    public func label(_ unit: Int) -> String { "L\(layer)N\(unit)" }
    public func validate(for model: HookedTransformer) throws { try requireHook(name, in: model) }

    public func activations(_ captured: [String: Tensor]) throws -> Tensor {
        try self.captured(captured, name).reshaped([-1, count])
    }

    /// `W_out[layer]` `[d_mlp, d_model]`.
    public func outputDirections(_ model: HookedTransformer) throws -> Tensor? {
        try model.W_out[layer]
    }
}

/// The features of a sparse autoencoder (SAELens format) reading one hook.
public struct SAEFeatureUnits: ScanUnits {
    /// The SAE.
    public let sae: SparseAutoencoder
    /// The hook it reads.
    public let hook: String
    public let fingerprint: String

    /// The features of `sae` at `hook` (default: the hook its config names).
    public init(sae: SparseAutoencoder, hook: String? = nil) throws {
        guard let target = hook ?? sae.config.hookName else {
            throw ScanError.unitMismatch("SAE", reason: "its cfg.json names no hook_name: pass the hook to read")
        }
        self.sae = sae
        self.hook = target
        var tensors = [sae.W_enc, sae.W_dec, sae.b_enc, sae.b_dec]
        if let threshold = sae.threshold { tensors.append(threshold) }
        let c = sae.config
        fingerprint = "\(c.architecture.rawValue) d_in \(c.dIn) d_sae \(c.dSAE) k \(c.k ?? 0) "
            + "\(c.normalizeActivations.rawValue) " + weightsFingerprint(tensors)
    }

    public var name: String { "sae:\(hook)" }
    public var kind: String { "sae_feature" }
    public var hooks: [String] { [hook] }
    public var count: Int { sae.config.dSAE }
    public func label(_ unit: Int) -> String { "F\(unit)" }

    /// Checks the hook exists and its width is the SAE's `d_in`.
    public func validate(for model: HookedTransformer) throws {
        try requireHook(hook, in: model)
        if let width = hookWidth(hook, model.config), width.reduce(1, *) != sae.config.dIn {
            throw ScanError.unitMismatch(name, reason: "the SAE's d_in is \(sae.config.dIn) but \(hook) carries \(width) "
                                         + "(\(width.reduce(1, *)) values per token)")
        }
    }

    public func activations(_ captured: [String: Tensor]) throws -> Tensor {
        let x = try self.captured(captured, hook)
        do { return try sae.encode(x).reshaped([-1, count]) } catch {
            throw ScanError.unitMismatch(name, reason: "\(error)")
        }
    }

    /// `W_dec` `[d_sae, d_model]` when the SAE writes the residual stream; through `W_O` for a `hook_z` SAE.
    public func outputDirections(_ model: HookedTransformer) throws -> Tensor? {
        let out = sae.config.hookNameOut ?? hook
        if isResidualSpace(out), sae.config.dOut == model.config.dModel { return sae.W_dec }
        let c = model.config
        guard out.hasSuffix("attn.hook_z"), let layer = HookPoint(name: out).layer, sae.config.dOut == c.nHeads * c.dHead else {
            return nil
        }
        let perHead = sae.W_dec.reshaped([count, c.nHeads * c.dHead])
        return perHead.matmul(model.W_O[layer].reshaped([c.nHeads * c.dHead, c.dModel]))
    }
}

/// Attention heads, each measured by the norm of what it writes to the residual stream at every position:
/// `‖z[pos, head] · W_O[head]‖`.
public struct HeadUnits: ScanUnits {
    /// The layers, in order.
    public let layers: [Int]
    /// Heads per layer.
    public let heads: Int
    private let W_O: [Tensor]

    /// Every head of `layers` of `model`.
    public init(layers: [Int], model: HookedTransformer) throws {
        let bad = layers.first { !(0..<model.config.nLayers).contains($0) }
        guard !layers.isEmpty, bad == nil else {
            throw ScanError.unitMismatch("heads", reason: "layers \(layers) must be non-empty and within the model's "
                                         + "\(model.config.nLayers) layers")
        }
        self.layers = layers
        heads = model.config.nHeads
        W_O = layers.map { model.W_O[$0] }
    }

    public var name: String { "heads:" + layers.map(String.init).joined(separator: ",") }
    public var kind: String { "head" }
    public var hooks: [String] { layers.map { "blocks.\($0).attn.hook_z" } }
    public var count: Int { layers.count * heads }
    public var fingerprint: String { "output norm" }
    public func label(_ unit: Int) -> String { "L\(layers[unit / heads])H\(unit % heads)" }
    public func validate(for model: HookedTransformer) throws { for hook in hooks { try requireHook(hook, in: model) } }

    public func activations(_ captured: [String: Tensor]) throws -> Tensor {
        var columns: [Tensor] = []
        for (k, hook) in hooks.enumerated() {
            let z = try self.captured(captured, hook)
            let flat = z.reshaped([-1, heads, z.shape[z.rank - 1]])
            for h in 0..<heads {
                columns.append(flat[.all, h].matmul(W_O[k][h]).square().sum(axis: -1).sqrt())
            }
        }
        return Tensor.stack(columns, axis: 1).contiguous()
    }

    /// Heads have no single output direction.
    public func outputDirections(_ model: HookedTransformer) throws -> Tensor? { nil }
}

/// Linear directions read at one hook (probe directions, difference-of-means vectors): unit `i`'s activation is
/// `x · directions[i] + bias[i]`.
public struct DirectionUnits: ScanUnits {
    /// The hook read.
    public let hook: String
    /// Directions `[n, width]`.
    public let directions: Tensor
    /// Bias `[n]`.
    public let bias: Tensor
    /// Labels.
    public let labels: [String]
    public let fingerprint: String

    /// Directions `[n, width]` (or `[width]` for one) with optional bias `[n]` and labels.
    public init(hook: String, directions: Tensor, bias: Tensor? = nil, labels: [String]? = nil) throws {
        let d = directions.rank == 1 ? directions.reshaped([1, directions.count]) : directions
        let n = d.shape[0]
        guard d.rank == 2, n > 0, bias.map({ $0.shape == [n] }) ?? true, labels.map({ $0.count == n }) ?? true else {
            throw ScanError.unitMismatch("directions:\(hook)", reason: "directions \(directions.shape), bias \(bias?.shape ?? []) and "
                                         + "\(labels?.count ?? 0) labels do not fit [n, width], [n], n")
        }
        self.hook = hook
        self.directions = d.converted(to: .float32).contiguous()
        self.bias = (bias ?? Tensor(zeros: [n])).converted(to: .float32)
        self.labels = labels ?? (0..<n).map { "D\($0)" }
        fingerprint = weightsFingerprint([self.directions, self.bias])
    }

    /// A probe's directions (the columns of its weights) and bias at `hook`.
    public init(probe: LinearProbe, hook: String, labels: [String]? = nil) throws {
        try self.init(hook: hook, directions: probe.weights.T, bias: probe.bias, labels: labels)
    }

    public var name: String { "directions:\(hook)" }
    public var kind: String { "direction" }
    public var hooks: [String] { [hook] }
    public var count: Int { directions.shape[0] }
    public func label(_ unit: Int) -> String { labels[unit] }

    public func validate(for model: HookedTransformer) throws {
        try requireHook(hook, in: model)
        if let width = hookWidth(hook, model.config), width.reduce(1, *) != directions.shape[1] {
            throw ScanError.unitMismatch(name, reason: "directions have width \(directions.shape[1]) but \(hook) carries \(width)")
        }
    }

    public func activations(_ captured: [String: Tensor]) throws -> Tensor {
        let x = try self.captured(captured, hook)
        let width = directions.shape[1]
        guard x.shape.last == width || x.rank >= 4 && x.shape.suffix(2).reduce(1, *) == width else {
            throw ScanError.unitMismatch(name, reason: "activation \(x.shape) does not end in width \(width)")
        }
        return (x.reshaped([-1, width]).matmul(directions.T) + bias).contiguous()
    }

    /// The directions themselves when the hook is in the residual stream.
    public func outputDirections(_ model: HookedTransformer) throws -> Tensor? {
        isResidualSpace(hook) && directions.shape[1] == model.config.dModel ? directions : nil
    }
}
