import Foundation

/// Where the demo model that ships with the repository lives.
public enum DemoModel {
    /// The folder's path inside the repository.
    public static let relativePath = "Models/demo"

    /// The demo model folder: `Models/demo` under the current directory, else under the package root this
    /// library was built from. Throws `WorkflowError.badFile` naming both places when neither has a `config.json`.
    public static func folder() throws -> URL { try repositoryModelFolder(relativePath, name: "demo model") }
}

/// `relativePath` (a model folder shipped in the repository) under the current directory, else under the
/// package root this library was built from. Throws `WorkflowError.badFile` naming both places when neither
/// has a `config.json`.
func repositoryModelFolder(_ relativePath: String, name: String) throws -> URL {
    let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relativePath)
    // This file is Sources/Lens/Demo/DemoModel.swift: the package root is four levels up.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(relativePath)
    for candidate in [current, root]
    where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("config.json").path) {
        return candidate.standardizedFileURL
    }
    throw WorkflowError.badFile(path: current.path, reason: "no \(name) here or at \(root.path); "
                                + "run from the repository root or pass --model DIR")
}
