import Testing
@testable import Tensor

/// The large-buffer pool: freed buffers come back for the next allocation of their size, the pool never
/// holds more than its capacity (oldest released first), and tensors built on reused memory start as
/// zeros when asked.
@Suite struct BufferPoolTests {
    static let size = BufferPool.minimumBytes

    @Test func aFreedLargeBufferIsReusedForTheSameSize() {
        let pool = BufferPool(capacity: 4 * Self.size)
        let first = pool.allocate(bytes: Self.size)
        pool.deallocate(first, bytes: Self.size)
        #expect(pool.pooledBytes == Self.size)
        let other = pool.allocate(bytes: Self.size + 64)
        let again = pool.allocate(bytes: Self.size)
        #expect(again == first)
        #expect(other != first)
        #expect(pool.pooledBytes == 0)
        pool.deallocate(again, bytes: Self.size)
        pool.deallocate(other, bytes: Self.size + 64)
        pool.capacity = 0
        #expect(pool.pooledBytes == 0)
    }

    @Test func thePoolKeepsAtMostItsCapacityOldestReleasedFirst() {
        let pool = BufferPool(capacity: 2 * Self.size)
        let buffers = (0..<3).map { _ in pool.allocate(bytes: Self.size) }
        buffers.forEach { pool.deallocate($0, bytes: Self.size) }
        #expect(pool.pooledBytes == 2 * Self.size)
        // The newest two are kept: the next allocations get them back, newest first.
        #expect(pool.allocate(bytes: Self.size) == buffers[2])
        #expect(pool.allocate(bytes: Self.size) == buffers[1])
        let small = pool.allocate(bytes: 64)
        pool.deallocate(small, bytes: 64)
        #expect(pool.pooledBytes == 0, "small buffers are never pooled")
    }

    @Test func capacityZeroTurnsPoolingOff() {
        let pool = BufferPool(capacity: 0)
        let buffer = pool.allocate(bytes: Self.size)
        pool.deallocate(buffer, bytes: Self.size)
        #expect(pool.pooledBytes == 0)
    }

    @Test func zeroTensorsOnReusedMemoryAreZero() {
        let count = 2 * Self.size / 4
        do {
            let filled = Tensor(Array(repeating: 7, count: count), shape: [count])
            #expect(filled.sum().item() == Float(7 * count))
        }
        let zeros = Tensor(zeros: [count])
        #expect(zeros.scalars.allSatisfy { $0 == 0 })
    }
}
