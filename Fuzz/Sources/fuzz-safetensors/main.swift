// libFuzzer target: a single safetensors file (header JSON, dtypes, shapes, offsets, tiling), every tensor read.
import FuzzSupport
import Lens

let scratch = Scratch("safetensors")
runFuzzer { bytes in
    let path = scratch.write(bytes, to: "model.safetensors")
    guard let file = try? SafetensorsFile(path: path) else { return }
    for name in file.names {
        guard let t = try? file.tensor(name) else { continue }
        _ = t.converted(to: .float32).scalars.count
    }
}
