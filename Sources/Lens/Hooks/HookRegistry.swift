/// Every hook point of one model, known before anything runs: the enabled ones in the order a forward pass
/// reaches them (the key order of a full TransformerLens cache) and the optional ones whose flag is off.
///
/// Names are TransformerLens's exactly: `hook_embed`, `blocks.0.ln1.hook_scale`, `blocks.0.attn.hook_q`, …,
/// `unembed.hook_out`. Hook points TransformerLens creates but never calls for this architecture (e.g.
/// `hook_mlp_out` of an attention-only model) are not listed, so hooking them is an error, not a silent no-op.
public struct HookRegistry: Sendable {
    /// Enabled hook points in forward order.
    public let names: [String]
    /// Optional hook points whose config flag is off, with that flag.
    public let disabled: [String: HookFlag]
    private let enabled: Set<String>

    /// The hook points of `model` with its current flags.
    public init(model: HookedTransformer) {
        names = model.hookPointNames
        enabled = Set(names)
        var off: [String: HookFlag] = [:]
        for flag in HookFlag.allCases {
            guard let switched = try? flag.enabled(on: model) else { continue }
            for name in switched.hookPointNames where !enabled.contains(name) && HookFlag.gating(name) == flag {
                off[name] = flag
            }
        }
        disabled = off
    }

    /// Whether `name` is an enabled hook point.
    public func contains(_ name: String) -> Bool { enabled.contains(name) }

    /// Throws `LensError.hookDisabled` for an optional hook whose flag is off and `LensError.unknownHook`
    /// (with the closest enabled names) for any other name that is not an enabled hook point.
    public func validate(_ name: String) throws {
        if enabled.contains(name) { return }
        if let flag = disabled[name] { throw LensError.hookDisabled(name, flag: flag.rawValue) }
        throw diagnosis(of: name)
    }

    /// Number of blocks (one past the largest `blocks.L` among the hook names).
    public var layerCount: Int { (names.compactMap(Self.layer(of:)).max() ?? -1) + 1 }

    /// The layer of a `blocks.L.…` name, if it has one.
    static func layer(of name: String) -> Int? {
        guard name.hasPrefix("blocks.") else { return nil }
        return Int(name.dropFirst(7).prefix { $0 != "." })
    }

    /// Why `name` is not a hook point: a layer past the last block, a TransformerLens short name (with the
    /// full name to use), or an unknown name (with the closest names).
    func diagnosis(of name: String) -> LensError {
        let layers = layerCount
        if let layer = Self.layer(of: name), layer >= layers {
            return .layerOutOfRange(layer, layers: layers, context: "hook point \"\(name)\"")
        }
        if !name.contains(".") {
            let global = getActName(name)
            if global != name, enabled.contains(global) { return .unknownHook(name, suggestions: [global]) }
            let first = getActName(name, layer: 0)
            if enabled.contains(first) {
                return .shortHookName(name, pattern: "blocks.L." + first.dropFirst("blocks.0.".count), layers: layers)
            }
        }
        return .unknownHook(name, suggestions: closestNames(to: name, in: names))
    }

    /// The enabled hook names a target attaches to (a named target is validated).
    public func resolve(_ target: HookTarget) throws -> [String] {
        switch target {
        case let .name(name):
            try validate(name)
            return [name]
        case let .filter(predicate):
            return names.filter(predicate)
        }
    }

    /// The enabled hook names a cache filter selects, in forward order (explicit names are validated).
    public func resolve(_ selection: HookNames) throws -> [String] {
        switch selection {
        case .all:
            return names
        case let .names(list):
            for name in list { try validate(name) }
            let wanted = Set(list)
            return names.filter { wanted.contains($0) }
        case let .filter(predicate):
            return names.filter(predicate)
        }
    }
}

extension HookedTransformer {
    /// This model's hook points (TransformerLens's `hook_dict` keys that a forward pass reaches).
    public var hookRegistry: HookRegistry { HookRegistry(model: self) }
}
