import ArgumentParser
import Foundation
import Lens

/// `lens slurm`: sbatch scripts that run a scan or sweep as a Slurm job array of shards plus a dependent merge.
struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write (and with --submit, submit) a Slurm job array running a scan or sweep in shards, and its merge.",
        discussion: """
            Give the lens scan or lens sweep command after --, with its --db: the final database. Writes into --dir:
              shards.sbatch   the array job: task I runs the command with --shard I/N into shards/NAME-I.sqlite
              merge.sbatch    lens merge of every shard into --db, submitted with --dependency=afterok on the array
              submit.sh       submits both (what --submit runs)
            Memory per task comes from the memory plan (the model's config.json, the batch and the units, never its \
            weights; printed at the top of the script), plus a quarter; the time limit from a conservative 5 GFLOP/s \
            per CPU (override with --time). Tasks are --requeue: a shard that is preempted, or killed and requeued, \
            resumes from its own database with nothing lost or counted twice. The lens binary (--lens) and every \
            path must be visible from the compute nodes (a shared filesystem); jobs run in the current directory.

            Examples:
              lens slurm --shards 100 --dir jobs/scan --partition cpu -- \\
                  scan --model gpt2 --corpus data/ --sae saes/l8 --db scan.sqlite
              lens slurm --shards 8 --submit -- sweep --model Models/demo --prompts Models/demo/pairs.jsonl \\
                  --act head_z_all_pos --db sweep.sqlite
            """)

    @Option(name: .long, help: "Number of shards (array tasks).")
    var shards: Int

    @Option(name: .long, help: "Where to write the scripts, shard databases and logs (default: slurm-NAME, NAME from --db).")
    var dir: String?

    @Option(name: .long, help: "CPUs per shard task (--cpus-per-task; BLAS and the statistics use them).")
    var cpusPerTask = 4

    @Option(name: .long, help: "Time limit per shard task (Slurm syntax, e.g. 2:00:00); default from the plan.")
    var time: String?

    @Option(name: .long, help: "Memory per shard task (Slurm syntax, e.g. 8G); default from the memory plan.")
    var mem: String?

    @Option(name: .long, help: "At most this many shard tasks at once (--array=0-N%K).")
    var maxParallel: Int?

    @Option(name: .long, help: "Slurm partition.")
    var partition: String?

    @Option(name: .long, help: "Slurm account.")
    var account: String?

    @Option(name: .customLong("sbatch-option"), help: "An extra #SBATCH option for both jobs, e.g. --qos=high; repeatable.")
    var sbatchOptions: [String] = []

    @Option(name: .long, help: "The lens executable the tasks run (default: this one).")
    var lens: String?

    @Flag(name: .long, help: "Submit the jobs (sbatch) after writing the scripts.")
    var submit = false

    @Argument(parsing: .postTerminator, help: "scan ... or sweep ... with its --db (after --).")
    var command: [String] = []

    func validate() throws {
        guard shards >= 1 else { throw ValidationError("--shards must be at least 1") }
        guard cpusPerTask >= 1 else { throw ValidationError("--cpus-per-task must be at least 1") }
        guard let first = command.first, ["scan", "sweep"].contains(first) else {
            throw ValidationError("give the job after --: lens slurm --shards N -- scan ... (or sweep ...) with its --db")
        }
    }

    func run() throws {
        let job = try SlurmJob(command: command, shards: shards, cpus: cpusPerTask)
        let directory = URL(fileURLWithPath: dir ?? "slurm-\(job.name)").standardizedFileURL
        let manager = FileManager.default
        for sub in ["shards", "logs"] {
            try manager.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let executable = try lens.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? Self.executablePath()
        let scripts = job.scripts(directory: directory.path, workingDirectory: manager.currentDirectoryPath,
                                  lens: executable, options: options, maxParallel: maxParallel)
        for (name, text) in [("shards.sbatch", scripts.shards), ("merge.sbatch", scripts.merge), ("submit.sh", scripts.submit)] {
            let path = directory.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o755)
        }
        print("\(job.kind) in \(shards) shards: \(job.shard.cpus) CPUs, \(job.shard.memoryMiB) MiB, "
              + "\(time ?? job.shard.time) per task; merge \(job.merge.memoryMiB) MiB")
        print("Scripts: \(directory.path)/{shards.sbatch,merge.sbatch,submit.sh}")
        guard submit else { return print("Submit with: bash \(directory.path)/submit.sh") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [directory.appendingPathComponent("submit.sh").path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CommandError("submit.sh failed (exit \(process.terminationStatus))") }
    }

    /// `#SBATCH` options besides the resources.
    private var options: [String] {
        (partition.map { ["--partition=\($0)"] } ?? []) + (account.map { ["--account=\($0)"] } ?? []) + sbatchOptions
            + (time.map { ["--time=\($0)"] } ?? []) + (mem.map { ["--mem=\($0)"] } ?? [])
    }

    /// This process's executable.
    static func executablePath() throws -> String {
        let path = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }
}

/// A scan or sweep command split into shards: its arguments without `--db` / `--shard`, the final database, and the
/// resources of its tasks.
struct SlurmJob {
    let kind: String
    let arguments: [String]
    let database: String
    let name: String
    let shard: TaskResources
    let merge: TaskResources

    init(command: [String], shards: Int, cpus: Int) throws {
        kind = command[0]
        var rest: [String] = [], database: String?, k = 1
        while k < command.count {
            let argument = command[k]
            if argument == "--db" || argument == "--shard", k + 1 < command.count {
                if argument == "--shard" { throw CommandError("leave --shard to lens slurm (each task runs its own)") }
                database = command[k + 1]
                k += 2
                continue
            }
            if argument.hasPrefix("--db=") { database = String(argument.dropFirst(5)) } else if argument.hasPrefix("--shard=") {
                throw CommandError("leave --shard to lens slurm (each task runs its own)")
            } else if argument != "--no-progress" {
                rest.append(argument)
            }
            k += 1
        }
        guard let database else { throw CommandError("the \(kind) command needs --db: the merged database to write") }
        (arguments, self.database) = (rest, database)
        name = URL(fileURLWithPath: database).deletingPathExtension().lastPathComponent
        let parsed = Array(command.dropFirst()) + (command.contains { $0.hasPrefix("--db") } ? [] : ["--db", database])
        if kind == "scan" {
            (shard, merge) = try SlurmPlan.scan(try ScanCommand.parse(parsed), shards: shards, cpus: cpus)
        } else {
            (shard, merge) = try SlurmPlan.sweep(try SweepCommand.parse(parsed), shards: shards, cpus: cpus)
        }
        self.shards = shards
    }

    let shards: Int

    /// The array script, the merge script and the submit script.
    func scripts(directory: String, workingDirectory: String, lens: String, options: [String],
                 maxParallel: Int?) -> (shards: String, merge: String, submit: String) {
        let overrides = Set(options.compactMap { $0.split(separator: "=").first.map(String.init) })
        func resources(_ task: TaskResources) -> [String] {
            (overrides.contains("--mem") ? [] : ["--mem=\(task.memoryMiB)M"]) + ["--cpus-per-task=\(task.cpus)"]
                + (overrides.contains("--time") ? [] : ["--time=\(task.time)"])
        }
        func header(_ title: String, _ task: TaskResources, _ extra: [String]) -> String {
            (["#!/bin/bash", "# \(title), written by lens slurm.", "# Memory plan of one task (requested: the sum plus a quarter):"]
                + task.lines.map { "#   " + $0 }
                + (extra + resources(task) + options).map { "#SBATCH " + $0 }).joined(separator: "\n")
        }
        let prefix = Self.quoted(["\(directory)/shards/\(name)-"]), suffix = Self.quoted([".sqlite"])
        let shardDatabase = prefix + "\"${SLURM_ARRAY_TASK_ID}\"" + suffix
        let array = "0-\(shards - 1)" + (maxParallel.map { "%\($0)" } ?? "")
        let shardsScript = header("Shards of: lens \(([kind] + arguments).joined(separator: " "))", shard, [
            "--job-name=lens-\(kind)-\(name)", "--array=\(array)", "--requeue", "--open-mode=append",
            "--chdir=\(workingDirectory)", "--output=\(directory)/logs/shard-%a.log",
        ]) + """

            set -eu
            export OPENBLAS_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
            echo "lens slurm: shard ${SLURM_ARRAY_TASK_ID}/\(shards) on $(hostname), start $(date -Is), restart ${SLURM_RESTART_COUNT:-0}"
            # A requeued task starts again here and the shard resumes from its database.
            exec \(Self.quoted([lens, kind] + arguments)) --shard "${SLURM_ARRAY_TASK_ID}/\(shards)" --no-progress --db \(shardDatabase)

            """
        let mergeScript = header("Merge of the \(shards) shards into \(database)", merge, [
            "--job-name=lens-merge-\(name)", "--chdir=\(workingDirectory)", "--output=\(directory)/logs/merge.log",
        ]) + """

            set -eu
            exec \(Self.quoted([lens, "merge", "--out", database])) \(prefix)*\(suffix)

            """
        let submitScript = """
            #!/bin/bash
            # Submits the shards of lens \(kind) and their merge (after every shard succeeded).
            set -euo pipefail
            array=$(sbatch --parsable \(Self.quoted(["\(directory)/shards.sbatch"])))
            array=${array%%;*}
            merge=$(sbatch --parsable --dependency=afterok:${array} --kill-on-invalid-dep=yes \(Self.quoted(["\(directory)/merge.sbatch"])))
            echo "submitted shards as job ${array} (array 0-\(shards - 1)) and the merge as job ${merge}"
            echo "${array} ${merge}" > \(Self.quoted(["\(directory)/jobs"]))

            """
        return (shardsScript, mergeScript, submitScript)
    }

    /// Arguments single-quoted for bash.
    static func quoted(_ arguments: [String]) -> String {
        arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    }
}
