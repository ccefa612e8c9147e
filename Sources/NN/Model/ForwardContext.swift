/// Everything a block needs besides its input: hooks, positions and masks, rotary tables, the key/value
/// cache and the optional-hook flags.
struct ForwardContext {
    /// The pass's hooks.
    let hooks: HookRunner
    /// Positions and key visibility.
    let layout: SequenceLayout
    /// `cos`/`sin` tables `[batch, length, 1, rotaryDim/2]` for the new positions (rotary models only).
    let rotaryAngles: (cos: Tensor, sin: Tensor)?
    /// Cache to append keys and values to, if generating.
    let cache: KVCache?
    /// The model's configuration (for `useAttnResult`, `useSplitQKVInput`, `useAttnIn`, `useHookMLPIn`).
    let config: ModelConfig
}
