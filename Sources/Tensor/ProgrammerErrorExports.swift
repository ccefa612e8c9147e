// `ensure` and `programmerError` live in Kernels, the lowest layer, so that kernels trap with a message too;
// every module that imports Tensor sees them.
@_exported import func Kernels.ensure
@_exported import func Kernels.programmerError
