import Testing
@testable import RestoreKitCore

/// The tensor pool keeps what passes reuse and frees what a whole pass left
/// unused (the soak test saw a context's memory grow with every new image size).
@Suite struct TensorPoolTests {
    @Test func aPassFreesTheBuffersItLeftUnused() throws {
        let pool = TensorPool()
        let first = pool.beginPass()
        let small = try #require(TensorPool.buffer(1000, from: pool))
        pool.give(small.pointer, capacity: small.capacity)
        pool.endPass(first)

        let second = pool.beginPass()
        let reused = try #require(pool.take(1000))
        #expect(reused.pointer == small.pointer)
        pool.give(reused.pointer, capacity: reused.capacity)
        let large = try #require(TensorPool.buffer(5000, from: pool))
        pool.give(large.pointer, capacity: large.capacity)
        pool.endPass(second)

        // The third pass uses only the large buffer: the small one goes.
        let third = pool.beginPass()
        let again = try #require(pool.take(5000))
        pool.give(again.pointer, capacity: again.capacity)
        pool.endPass(third)
        #expect(pool.take(1000) == nil)
        #expect(pool.take(5000) != nil)
    }
}
