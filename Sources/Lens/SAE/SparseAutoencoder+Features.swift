extension SparseAutoencoder {
    /// The `k` largest feature activations along the last axis of `featureActs` (`[..., d_sae]`):
    /// values and feature ids, each `[..., k]`, largest first.
    public func topFeatures(_ featureActs: Tensor, k: Int) throws -> (values: Tensor, indices: Tensor) {
        guard featureActs.shape.last == config.dSAE, k > 0, k <= config.dSAE else {
            throw SAEError.invalidInput("top \(k) of feature activations \(featureActs.shape) (d_sae \(config.dSAE))")
        }
        return featureActs.topk(k, axis: -1)
    }

    /// The active (non-zero) features of one activation vector `[d_sae]`, largest first, at most `limit`.
    public func activeFeatures(_ featureActs: Tensor, limit: Int? = nil) throws -> [(feature: Int, value: Float)] {
        guard featureActs.shape == [config.dSAE] else {
            throw SAEError.invalidInput("activeFeatures takes one vector [\(config.dSAE)], got \(featureActs.shape)")
        }
        let active = featureActs.scalars.enumerated().filter { $0.element != 0 }
            .sorted { ($0.element, $1.offset) > ($1.element, $0.offset) }
        return active.prefix(limit ?? active.count).map { ($0.offset, $0.element) }
    }

    /// Feature `feature`'s decoder direction `W_dec[feature]` `[d_out]`.
    public func decoderDirection(_ feature: Int) throws -> Tensor {
        guard (0..<config.dSAE).contains(feature) else {
            throw SAEError.invalidInput("feature \(feature) is outside d_sae \(config.dSAE)")
        }
        return W_dec[feature].contiguous()
    }

    /// A steering vector adding `scale · W_dec[feature]` at the SAE's output hook (or `hook`), at
    /// `positions` or everywhere.
    public func steering(feature: Int, scale: Float, hook: String? = nil, positions: [Int]? = nil) throws -> SteeringVector {
        guard let target = hook ?? config.hookNameOut ?? config.hookName else {
            throw SAEError.invalidInput("the SAE config names no hook: pass one to steer at")
        }
        return SteeringVector(hook: target, direction: try decoderDirection(feature), scale: scale, positions: positions)
    }
}
