// libFuzzer target: .npz archives (zip directory, zip64 records, stored and deflated members, CRC-32), every
// member read as .npy.
import FuzzSupport
import Lens

let scratch = Scratch("npz")
runFuzzer { bytes in
    let path = scratch.write(bytes, to: "arrays.npz")
    guard let archive = try? NpzArchive(contentsOf: path) else { return }
    for name in archive.names {
        guard let t = try? archive.tensor(name) else { continue }
        _ = t.converted(to: .float32).scalars.count
    }
}
