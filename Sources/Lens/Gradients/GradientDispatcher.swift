/// The `GradientHooks` of one backward pass: runs each hook point's backward hooks in the order they were
/// attached (a replacement feeds the next one), then records the gradient if it was asked for. Hook points with
/// nothing attached or recorded answer `isActive` false. A hook point reached several times (a norm applied to
/// split q/k/v inputs) records the sum of its gradients: the gradient with respect to all of its uses.
final class GradientDispatcher: GradientHooks {
    private var table: [String: [HookFunction]] = [:]
    private var keys: [String] = []
    private var values: [String: Tensor] = [:]
    private let wanted: Set<String>

    /// Runs the `.backward` hooks among `hooks` and records the gradients at `record`.
    init(hooks: [BoundHook], record: [String]) {
        for hook in hooks where hook.direction == .backward { table[hook.name, default: []].append(hook.function) }
        wanted = Set(record)
        for name in record where table[name] == nil { table[name] = [] }
    }

    func isActive(_ name: String) -> Bool { table[name] != nil }

    func visit(_ name: String, _ gradient: Tensor) throws -> Tensor {
        var current = gradient
        let point = HookPoint(name: name)
        for function in table[name] ?? [] {
            guard let replacement = try function(current, point) else { continue }
            guard replacement.shape == current.shape else {
                throw BackwardError.gradientShapeMismatch(hook: name, expected: current.shape, found: replacement.shape)
            }
            current = replacement
        }
        if wanted.contains(name) {
            if let previous = values[name], previous.shape == current.shape {
                values[name] = previous + current
            } else if values.updateValue(current, forKey: name) == nil {
                keys.append(name)
            }
        }
        return current
    }

    /// The recorded gradients, in the order the backward pass reached them.
    var recorded: [(String, Tensor)] { keys.map { ($0, values[$0]!) } }
}
