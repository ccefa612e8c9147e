import Dispatch

/// Work splitting for kernels. BLAS keeps its own threads for GEMM; these
/// helpers parallelise only the Swift kernels, which never call BLAS inside.
public enum Parallel {
    /// Number of workers for large arrays (the machine's active cores).
    public static let workers = max(1, ProcessInfo.activeCores)

    /// Below this many elements a kernel runs on the calling thread.
    public static let minimumParallelCount = 1 << 16

    /// Chunks per worker of a parallel loop: more chunks than workers let a worker that gets a core first take
    /// over the chunks of one that waits (a shared machine, or cores of unequal speed).
    static let chunksPerWorker = 4

    /// Runs `body(start, end)` over `0..<count` in contiguous chunks, in parallel
    /// when `count * costPerElement` is large enough to pay for the threads.
    public static func forChunks(
        _ count: Int, costPerElement: Int = 1, _ body: (Int, Int) -> Void
    ) {
        let chunks = count * costPerElement >= minimumParallelCount ? min(workers * chunksPerWorker, count) : 1
        if chunks <= 1 {
            body(0, count)
            return
        }
        let size = (count + chunks - 1) / chunks
        withoutActuallyEscaping(body) { escaping in
            let work = UncheckedSendable(escaping)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let start = c * size
                let end = min(count, start + size)
                if start < end { work.value(start, end) }
            }
        }
    }
}

/// Carries a value the caller guarantees is used safely across threads
/// (kernel bodies write disjoint ranges of one buffer).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The number of cores this process may use.
enum ProcessInfo {
    /// The CPUs of this process's affinity mask (what `taskset`, a Slurm task's CPU binding or a container's cpuset
    /// allow), or the online CPUs when the mask cannot be read.
    static var activeCores: Int {
        #if canImport(Glibc)
        return allowedCores ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 1
        #endif
    }

    #if canImport(Glibc)
    /// The bits set in the `Cpus_allowed` hex mask of /proc/self/status; nil when there is none.
    static var allowedCores: Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            guard text.hasPrefix("Cpus_allowed:") else { continue }
            let count = text.dropFirst(13).reduce(0) { $0 + ($1.hexDigitValue?.nonzeroBitCount ?? 0) }
            return count > 0 ? count : nil
        }
        return nil
    }
    #endif
}

#if canImport(Glibc)
import Glibc
#endif
