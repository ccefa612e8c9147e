// libFuzzer target: NumPy .npy reading (header literal, dtypes, shapes, byte order, Fortran order).
import FuzzSupport
import Lens

runFuzzer { bytes in
    guard let t = try? Tensor.readNpy(from: Array(bytes), name: "input.npy") else { return }
    _ = t.converted(to: .float32).scalars.count
}
