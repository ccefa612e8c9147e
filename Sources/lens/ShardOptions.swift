import ArgumentParser
import Foundation
import Lens

/// `--shard I/N`, shared by the commands that split their work over processes (`scan`, `sweep`).
struct ShardOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Run part I of N (0-based, e.g. 2/4) and write it for `lens merge`; `none` runs everything.",
        discussion: "Inside a Slurm array task the default is SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of "
            + "SLURM_ARRAY_TASK_COUNT. Parts are contiguous and balanced by tokens."))
    var shard: String?

    /// The shard asked for, or the Slurm array task's, or nil (the whole job); says on standard error where an
    /// environment shard came from.
    func resolve(command: String) throws -> Shard? {
        if shard == "none" { return nil }
        if let shard { return try Shard(parsing: shard) }
        guard let found = try Shard.slurm(environment: ProcessInfo.processInfo.environment) else { return nil }
        let note = "lens \(command): shard \(found) from the Slurm array task (SLURM_ARRAY_TASK_ID; --shard none runs everything)\n"
        FileHandle.standardError.write(Data(note.utf8))
        return found
    }
}
