/// The JPEG quantisation constraint of one plane: every image that compresses to
/// the same levels as the observed one, block by block.
///
/// A JPEG file stores, for each 8×8 block of a plane and each frequency, the
/// level k = round(F / q) of the DCT coefficient F. Any image whose
/// coefficients lie in [(k − ½) q, (k + ½) q] would have produced the same file,
/// so a restoration may move only within those intervals; `project` clamps
/// each coefficient of an estimate into its interval, the closest such image
/// in the least-squares sense (the DCT is orthonormal), after narrowing each
/// interval by `margin` on both sides (see there). Blocks start at the
/// plane's top-left corner; partial blocks at the right and bottom are padded
/// by repeating the last column and row, as the encoder pads them.
struct QuantizationConstraint {
    /// The 64 quantisation steps, natural order.
    let steps: [Float]
    let width: Int
    let height: Int
    let blocksAcross: Int
    let blocksDown: Int
    /// The observed level of each coefficient, 64 per block, blocks row by row.
    let levels: [Float]

    /// How far inside its interval's ends a coefficient is kept (0–255 scale,
    /// at most a quarter step). A restored image is saved with 8-bit samples,
    /// and that rounding moves each coefficient by noise of deviation
    /// 1/√12 ≈ 0.29; a coefficient projected onto the very end of its interval
    /// would land on the wrong side half of the time. One unit (3.5
    /// deviations) keeps re-encoding faithful at a negligible cost in freedom.
    static let margin: Float = 1

    /// The constraint of `observed`, a decoded plane, under `steps`. Decoding
    /// rounds to 8 bits, which moves a coefficient by a fraction of a step, so
    /// rounding the observed coefficients recovers the stored levels.
    init(observed: JPEGPlane, steps: [UInt16], threads: Int) {
        let stepValues = steps.map(Float.init)
        let across = (observed.width + 7) / 8, down = (observed.height + 7) / 8
        var levels = [Float](repeating: 0, count: across * down * 64)
        levels.withUnsafeMutableBufferPointer { out in
            let out = out
            parallelFor(down, threads: threads) { by in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { block in
                    let block = block.baseAddress!
                    for bx in 0 ..< across {
                        Self.load(observed, bx, by, into: block)
                        BlockDCT.forward(block)
                        let base = (by * across + bx) * 64
                        for i in 0 ..< 64 { out[base + i] = (block[i] / stepValues[i]).rounded() }
                    }
                }
            }
        }
        self.steps = stepValues
        width = observed.width
        height = observed.height
        blocksAcross = across
        blocksDown = down
        self.levels = levels
    }

    /// Moves `plane` (the same size as the observed one) to the nearest image
    /// that satisfies the constraint.
    func project(_ plane: inout JPEGPlane, threads: Int) {
        plane = transformBlocks(of: [plane], threads: threads) { coefficients, limits, result in
            for i in 0 ..< 64 { result[i] = limits.clamp(coefficients[0][i], i) }
        }
    }

    /// The image whose coefficients are, frequency by frequency, the weighted
    /// sum of the projected `estimates`' coefficients and the observed ones
    /// (the centres of their intervals), projected once more. `weights` holds
    /// 64 rows, one per frequency in natural order, of `estimates.count + 1`
    /// weights: one per estimate, then the observed coefficient's.
    func aggregate(_ estimates: [JPEGPlane], weights: [Float], threads: Int) -> JPEGPlane {
        let stride = estimates.count + 1
        precondition(weights.count == 64 * stride, "one weight per estimate and the observation for each frequency")
        return weights.withUnsafeBufferPointer { weights in
            transformBlocks(of: estimates, threads: threads) { coefficients, limits, result in
                for i in 0 ..< 64 {
                    let row = i * stride
                    var sum = weights[row + estimates.count] * limits.centre(i)
                    for e in 0 ..< estimates.count { sum += weights[row + e] * limits.clamp(coefficients[e][i], i) }
                    result[i] = limits.clamp(sum, i)
                }
            }
        }
    }

    /// One block's intervals: the observed levels and the steps.
    struct BlockLimits {
        fileprivate let levels: UnsafePointer<Float>
        fileprivate let steps: UnsafePointer<Float>

        /// The centre of coefficient `i`'s interval: the observed coefficient.
        func centre(_ i: Int) -> Float { levels[i] * steps[i] }

        /// `value` moved into coefficient `i`'s interval, narrowed by `margin`.
        func clamp(_ value: Float, _ i: Int) -> Float {
            let centre = centre(i), half = steps[i] / 2 - min(QuantizationConstraint.margin, steps[i] / 4)
            return min(centre + half, max(centre - half, value))
        }
    }

    /// A new plane made block by block: `combine` receives the DCT
    /// coefficients of each of `sources` at one block, that block's limits,
    /// and fills the result's 64 coefficients, which are transformed back.
    private func transformBlocks(
        of sources: [JPEGPlane], threads: Int,
        _ combine: (_ coefficients: [UnsafeMutablePointer<Float>], BlockLimits, _ result: UnsafeMutablePointer<Float>) -> Void
    ) -> JPEGPlane {
        precondition(sources.allSatisfy { $0.width == width && $0.height == height }, "constraint size mismatch")
        var output = JPEGPlane(width: width, height: height)
        output.samples.withUnsafeMutableBufferPointer { out in
            let out = out
            levels.withUnsafeBufferPointer { levels in
                steps.withUnsafeBufferPointer { steps in
                    parallelFor(blocksDown, threads: threads) { by in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: 64 * (sources.count + 1)) { scratch in
                            let scratch = scratch.baseAddress!
                            let blocks = (0 ..< sources.count).map { scratch + 64 * $0 }
                            let result = scratch + 64 * sources.count
                            for bx in 0 ..< blocksAcross {
                                for (source, block) in zip(sources, blocks) {
                                    Self.load(source, bx, by, into: block)
                                    BlockDCT.forward(block)
                                }
                                let limits = BlockLimits(levels: levels.baseAddress! + (by * blocksAcross + bx) * 64,
                                                         steps: steps.baseAddress!)
                                combine(blocks, limits, result)
                                BlockDCT.inverse(result)
                                store(result, bx, by, into: out)
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// Copies block (`bx`, `by`) of `plane`, level-shifted by −128 and padded by
    /// edge repetition, into `block`.
    private static func load(_ plane: JPEGPlane, _ bx: Int, _ by: Int, into block: UnsafeMutablePointer<Float>) {
        plane.samples.withUnsafeBufferPointer { s in
            for r in 0 ..< 8 {
                let row = min(by * 8 + r, plane.height - 1) * plane.width
                for c in 0 ..< 8 {
                    block[r * 8 + c] = s[row + min(bx * 8 + c, plane.width - 1)] - 128
                }
            }
        }
    }

    /// Writes the visible part of `block` back to block (`bx`, `by`) of `out`.
    private func store(_ block: UnsafeMutablePointer<Float>, _ bx: Int, _ by: Int,
                       into out: UnsafeMutableBufferPointer<Float>) {
        for r in 0 ..< min(8, height - by * 8) {
            let row = (by * 8 + r) * width
            for c in 0 ..< min(8, width - bx * 8) { out[row + bx * 8 + c] = block[r * 8 + c] + 128 }
        }
    }
}
