// libFuzzer target: a sharded safetensors index (`model.safetensors.index.json`) over two real shards, with a
// symlink and a file outside the model folder that no accepted index may reach.
import FuzzSupport
import JSONMutator
import Lens
import Glibc

let scratch = Scratch("index")
let model = scratch.folder + "model/"
mkdir(model, 0o700)
try! SafetensorsFile.write([("a", Tensor([1, 2, 3])), ("b", Tensor([4, 5], shape: [1, 2]))], to: model + "shard-1.safetensors")
try! SafetensorsFile.write([("c", Tensor(ints: [7], shape: [1]))], to: model + "shard-2.safetensors")
try! SafetensorsFile.write([("secret", Tensor([9]))], to: scratch.folder + "outside.safetensors")
symlink(scratch.folder + "outside.safetensors", model + "link.safetensors")
JSONMutator.fieldNames = ["weight_map", "metadata", "a", "b", "c", "secret", "total_size"]

runFuzzer { bytes in
    let path = scratch.write(bytes, to: "model/model.safetensors.index.json")
    guard let index = try? ShardedSafetensors(indexPath: path) else { return }
    for name in index.names {
        guard let t = try? index.tensor(name) else { continue }
        if t.scalars == [9] { fatalError("index reached a file outside the model folder: \(name)") }
    }
}
