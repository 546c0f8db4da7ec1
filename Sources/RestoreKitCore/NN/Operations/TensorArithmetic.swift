/// a + b element by element (tensors of the same shape).
func add(_ a: Tensor, _ b: Tensor, threads: Int = 1) throws -> Tensor {
    guard a.hasShape(of: b) else {
        throw RestoreError(.model, "cannot add \(a.shapeDescription) and \(b.shapeDescription)")
    }
    var b = b
    let out = b.isUniquelyReferenced() ? b : try Tensor(height: a.height, width: a.width, channels: a.channels)
    WorkSplit.forEachRange(a.count, threads: threads) { range in
        for i in range { out.pointer[i] = a.pointer[i] + b.pointer[i] }
    }
    return out
}
