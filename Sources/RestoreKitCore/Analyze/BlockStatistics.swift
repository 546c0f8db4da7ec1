/// Per-block facts the noise estimators need besides the spectrum: whether a
/// block touches the ends of the range (where clipping hides noise) and how
/// bright it is.
struct BlockStatistics {
    /// The smallest sample of the block over all colour channels.
    var low: [Float]
    /// The largest sample of the block over all colour channels.
    var high: [Float]
    /// The smallest of the channels' block means.
    var lowestMean: [Float]
    /// The largest of the channels' block means.
    var highestMean: [Float]
    /// The mean over all channels.
    var brightness: [Float]

    /// The statistics of the 8×8 blocks of `color` (`channels` planes of
    /// `width × height`) whose top-left sample index is in `origins`.
    init(_ color: [Float], width: Int, height: Int, channels: Int, origins: [Int]) {
        let count = origins.count
        low = [Float](repeating: 0, count: count)
        high = low
        lowestMean = low
        highestMean = low
        brightness = low
        let planeSize = width * height
        color.withUnsafeBufferPointer { c in
            for (n, origin) in origins.enumerated() {
                var lo = Float.infinity, hi = -Float.infinity
                var minMean = Float.infinity, maxMean = -Float.infinity, total: Float = 0
                for channel in 0 ..< channels {
                    let base = c.baseAddress! + channel * planeSize + origin
                    var sum: Float = 0
                    for row in 0 ..< 8 {
                        let line = base + row * width
                        for x in 0 ..< 8 {
                            let v = line[x]
                            sum += v
                            lo = min(lo, v)
                            hi = max(hi, v)
                        }
                    }
                    let mean = sum / 64
                    minMean = min(minMean, mean)
                    maxMean = max(maxMean, mean)
                    total += mean
                }
                low[n] = lo
                high[n] = hi
                lowestMean[n] = minMean
                highestMean[n] = maxMean
                brightness[n] = total / Float(channels)
            }
        }
    }
}

extension BlockStatistics {
    /// The blocks with no sample at 0 or 1, in index order: clipping there
    /// hides part of the noise.
    var unclipped: [Int] {
        (0 ..< low.count).filter { low[$0] > 0 && high[$0] < 1 }
    }

    /// Those of `blocks` whose `energy` is at most `limit` and whose channel
    /// means all lie more than `margin` from 0 and 1: the flat blocks one round
    /// of a noise estimator's selection keeps.
    func flat(_ blocks: [Int], energy: [Double], limit: Double, margin: Float) -> [Int] {
        blocks.filter { energy[$0] <= limit && lowestMean[$0] > margin && highestMean[$0] < 1 - margin }
    }
}
