/// A hook attached to one resolved hook name.
struct BoundHook {
    /// The enabled hook point it runs at.
    let name: String
    /// The function.
    let function: HookFunction
    /// Whether it sees the activation (forward) or the gradient (backward).
    var direction: HookDirection = .forward
}

/// The `ActivationHooks` of one forward pass: runs each hook point's functions in the order they were
/// attached (a replacement feeds the next function), then hands the result to the cache recorder.
/// Hook points with nothing attached answer `isActive` false, so the model skips them at no cost.
final class HookDispatcher: ActivationHooks {
    private var table: [String: [HookFunction]] = [:]
    private let recorder: CacheRecorder?

    /// Dispatches `hooks` (in order) and records into `recorder` the names it asks for.
    init(hooks: [BoundHook], recorder: CacheRecorder?) {
        for hook in hooks where hook.direction == .forward { table[hook.name, default: []].append(hook.function) }
        self.recorder = recorder
        if let recorder { for name in recorder.wanted where table[name] == nil { table[name] = [] } }
    }

    func isActive(_ name: String) -> Bool { table[name] != nil }

    func visit(_ name: String, _ value: Tensor) throws -> Tensor {
        var current = value
        if let functions = table[name], !functions.isEmpty {
            let point = HookPoint(name: name)
            for function in functions {
                guard let replacement = try function(current, point) else { continue }
                guard replacement.shape == current.shape else {
                    throw ForwardError.hookShapeMismatch(hook: name, expected: current.shape, found: replacement.shape)
                }
                current = replacement
            }
        }
        try recorder?.record(name, current)
        return current
    }
}

/// Stores the activations `runWithCache` asks for, in the order the forward pass reaches them, with
/// TransformerLens's `remove_batch_dim` and `pos_slice` applied as they are saved.
final class CacheRecorder {
    /// The names to store.
    let wanted: Set<String>
    private let posSlice: AxisSlice
    private let removeBatchDim: Bool
    private(set) var keys: [String] = []
    private(set) var values: [String: Tensor] = [:]

    init(names: [String], posSlice: AxisSlice, removeBatchDim: Bool) {
        wanted = Set(names)
        self.posSlice = posSlice
        self.removeBatchDim = removeBatchDim
    }

    /// Saves `value` under `name` if wanted. A hook point reached twice keeps its first position in the key
    /// order and its last value, as a Python dict does.
    func record(_ name: String, _ value: Tensor) throws {
        guard wanted.contains(name) else { return }
        var saved = removeBatchDim ? value[0] : value
        // q, k, v, z and result are [batch, pos, head, d]; everything else has positions second to last.
        let headVector = ["hook_q", "hook_k", "hook_v", "hook_z", "hook_result"].contains { name.hasSuffix($0) }
        let positionAxis = headVector ? -3 : -2
        if posSlice != .all, saved.rank >= -positionAxis { saved = try posSlice.apply(saved, axis: positionAxis) }
        if values.updateValue(saved, forKey: name) == nil { keys.append(name) }
    }
}
