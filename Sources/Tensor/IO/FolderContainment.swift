#if canImport(Glibc)
import Glibc
#endif

/// Where a model folder's files may live: the folder itself, followed through symbolic links. A file named
/// by a checkpoint's own metadata (a shard in a sharded index) or found in the folder (`config.json`) is read
/// only when its real path lies inside the folder's real path, or inside the `blobs/` folder of the same
/// repository when the folder is a Hugging Face cache snapshot (`models--ORG--NAME/snapshots/REV/`, whose
/// files are links to `../../blobs/HASH`). `../../etc/passwd`, an absolute path and a link that leaves the
/// folder are refused with `TensorError.invalidFile` naming the entry.
public struct FolderContainment: Sendable {
    /// The folder as given.
    public let folder: String
    /// Real paths (ending in `/`) under which files may be read.
    let roots: [String]

    /// The containment of `folder` (which must exist).
    public init(folder: String) throws {
        self.folder = folder
        guard let real = FolderContainment.realPath(folder) else {
            throw TensorError.invalidFile(path: folder, reason: "cannot resolve the folder: \(systemError())")
        }
        var roots = [real.hasSuffix("/") ? real : real + "/"]
        let parts = real.split(separator: "/")
        if parts.count >= 3, parts[parts.count - 2] == "snapshots", parts[parts.count - 3].hasPrefix("models--") {
            roots.append("/" + parts.dropLast(2).joined(separator: "/") + "/blobs/")
        }
        self.roots = roots
    }

    /// The path of `name` inside the folder after checking that it stays inside (see the type's documentation);
    /// `what` names the entry in errors. A file that does not exist is returned as is (its reader reports it).
    public func path(of name: String, what: String) throws -> String {
        func refuse(_ reason: String) -> TensorError {
            TensorError.invalidFile(path: folder, reason: "\(what) names '\(name)', \(reason)")
        }
        guard !name.isEmpty, !name.hasPrefix("/") else { throw refuse("which is not a relative path inside the folder") }
        guard !name.split(separator: "/").contains("..") else { throw refuse("which climbs out of the folder with '..'") }
        let path = (folder.hasSuffix("/") ? folder : folder + "/") + name
        guard let real = FolderContainment.realPath(path) else { return path }
        guard roots.contains(where: { real.hasPrefix($0) }) else {
            throw refuse("which resolves to \(real), outside the folder")
        }
        return path
    }

    /// `realpath(3)` of `path`, or nil when it cannot be resolved.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
