// libFuzzer target: PyTorch .pth checkpoints (zip container, data.pkl pickle, storages), every tensor read.
import FuzzSupport
import Lens

let scratch = Scratch("pth")
runFuzzer { bytes in
    let path = scratch.write(bytes, to: "model.pth")
    guard let file = try? PyTorchCheckpoint(path: path) else { return }
    for name in file.names {
        guard let t = try? file.tensor(name) else { continue }
        _ = t.converted(to: .float32).scalars.count
    }
}
