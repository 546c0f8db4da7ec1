/// Block matching for one band of reference patches: for every reference, the
/// up to `maxMatches` 8 × 8 patches of the guide plane inside the search window
/// that are closest to it in squared distance (and below `threshold`), sorted,
/// the reference itself first.
///
/// Distances are computed offset by offset rather than reference by reference:
/// for one displacement (dx, dy) the squared differences of the band's rows
/// against the displaced rows are computed once, summed over 4 rows, paired into
/// 8-row sums at the reference rows, then summed over 8 columns at the reference
/// columns. That shares every squared difference (and, with a step of 4, every
/// 4-row sum) between the references whose patches overlap it, and the heavy
/// loops run over contiguous memory. The sums are formed in a fixed order from
/// the pixels alone, so a patch pair gets bit-identical distances in a tile and
/// in the whole image.
final class BlockMatcher {
    let width: Int
    let height: Int
    let maxMatches: Int
    let threshold: Float
    /// Displacements in search order: nearest first, so the reference (0, 0)
    /// comes first and ties in distance go to the nearer patch.
    private let offsets: [(dx: Int, dy: Int)]

    private let capacity: Int
    private let rowSpan: Int
    private let squared, quads, pairs: UnsafeMutablePointer<Float>
    private let heapDistance: UnsafeMutablePointer<Float>
    private let heapOrder: UnsafeMutablePointer<Int32>
    private let counts: UnsafeMutablePointer<Int32>
    private let limits: UnsafeMutablePointer<Float>

    /// After `match`: the group size (a power of two) of each reference, and its
    /// members' top-left corners at `reference · maxMatches + member`.
    let groupSizes: UnsafeMutablePointer<Int32>
    let memberX: UnsafeMutablePointer<Int32>
    let memberY: UnsafeMutablePointer<Int32>

    /// A matcher for planes of `width` × `height` (both ≥ 8), bands of at most
    /// `maxReferences` references in `columns` columns whose reference rows span at
    /// most `maxRowSpan` rows, a search window of ±`radius`.
    init(width: Int, height: Int, radius: Int, maxMatches: Int, threshold: Float,
         maxReferences: Int, columns: Int, maxRowSpan: Int) {
        self.width = width
        self.height = height
        self.maxMatches = maxMatches
        self.threshold = threshold
        var offsets: [(dx: Int, dy: Int)] = []
        for dy in -radius ... radius {
            for dx in -radius ... radius { offsets.append((dx, dy)) }
        }
        offsets.sort { a, b in
            let da = a.dx * a.dx + a.dy * a.dy, db = b.dx * b.dx + b.dy * b.dy
            return da != db ? da < db : (a.dy != b.dy ? a.dy < b.dy : a.dx < b.dx)
        }
        self.offsets = offsets
        capacity = maxReferences
        rowSpan = maxRowSpan + 8
        squared = .allocate(capacity: rowSpan * width)
        quads = .allocate(capacity: 2 * (maxReferences / columns) * width)
        pairs = .allocate(capacity: width)
        heapDistance = .allocate(capacity: maxReferences * maxMatches)
        heapOrder = .allocate(capacity: maxReferences * maxMatches)
        counts = .allocate(capacity: maxReferences)
        limits = .allocate(capacity: maxReferences)
        groupSizes = .allocate(capacity: maxReferences)
        memberX = .allocate(capacity: maxReferences * maxMatches)
        memberY = .allocate(capacity: maxReferences * maxMatches)
    }

    deinit {
        for p in [squared, quads, pairs, heapDistance, limits] { p.deallocate() }
        for p in [heapOrder, counts, groupSizes, memberX, memberY] { p.deallocate() }
    }

    /// Matches the references at rows `rows` × columns `columns` (top-left
    /// corners, ascending) against `guide`. Calls `checkpoint` every 64
    /// displacements (a few milliseconds on wide bands), so that a cancel
    /// request is seen promptly; its error ends the matching.
    func match(guide: UnsafePointer<Float>, rows: UnsafeBufferPointer<Int>, columns: UnsafeBufferPointer<Int>,
               checkpoint: () throws -> Void) rethrows {
        let nr = rows.count, nc = columns.count
        precondition(nr * nc <= capacity && rows[nr - 1] - rows[0] + 8 <= rowSpan, "band exceeds matcher capacity")
        let maxX = width - 8, maxY = height - 8
        // The rows where 4-row sums start, and each reference's two of them.
        var quadRows: [Int] = []
        var quadTop = [Int](repeating: 0, count: nr), quadBottom = [Int](repeating: 0, count: nr)
        for start in Set(rows.flatMap { [$0, $0 + 4] }).sorted() { quadRows.append(start) }
        for r in 0 ..< nr {
            quadTop[r] = quadRows.firstIndex(of: rows[r])!
            quadBottom[r] = quadRows.firstIndex(of: rows[r] + 4)!
        }
        for i in 0 ..< nr * nc {
            counts[i] = 0
            limits[i] = threshold
        }
        let columnList = columns.baseAddress!
        for (order, offset) in offsets.enumerated() {
            let (dx, dy) = offset
            let order32 = Int32(order)
            if order % 64 == 63 { try checkpoint() }
            var r0 = 0, r1 = nr, j0 = 0, j1 = nc
            while r0 < nr && rows[r0] + dy < 0 { r0 += 1 }
            while r1 > r0 && rows[r1 - 1] + dy > maxY { r1 -= 1 }
            while j0 < nc && columns[j0] + dx < 0 { j0 += 1 }
            while j1 > j0 && columns[j1 - 1] + dx > maxX { j1 -= 1 }
            guard r0 < r1, j0 < j1 else { continue }
            let xa = columns[j0], xb = columns[j1 - 1] + 8
            let ya = rows[r0], yb = rows[r1 - 1] + 8
            for y in ya ..< yb {
                let a = guide + y * width, b = guide + (y + dy) * width + dx
                let d = squared + (y - ya) * width
                for x in xa ..< xb {
                    let t = a[x] - b[x]
                    d[x] = t * t
                }
            }
            // 4-row sums starting at every reference row and 4 rows below it:
            // a reference's 8-row sum is the sum of its two, and with a step of
            // 4 each is shared by two references. Index offsets live in the
            // pointers: `x + 1` in a subscript is overflow-checked, which would
            // keep the loops from being vectorised.
            for qi in quadTop[r0] ... quadBottom[r1 - 1] {
                let s0 = squared + (quadRows[qi] - ya) * width
                let s1 = s0 + width, s2 = s1 + width, s3 = s2 + width
                let q = quads + qi * width
                for x in xa ..< xb { q[x] = (s0[x] + s1[x]) + (s2[x] + s3[x]) }
            }
            for r in r0 ..< r1 {
                // 8-row sums, paired over neighbouring columns, then 8-column
                // sums at the reference columns only.
                let t0 = quads + quadTop[r] * width, b0 = quads + quadBottom[r] * width
                let t1 = t0 + 1, b1 = b0 + 1
                for x in xa ..< xb - 1 { pairs[x] = (t0[x] + b0[x]) + (t1[x] + b1[x]) }
                let p2 = pairs + 2, p4 = pairs + 4, p6 = pairs + 6
                let base = r * nc, limit = limits + base
                // Wrapping index arithmetic: the checked kind costs a third of this loop.
                var j = j0
                while j < j1 {
                    let c = columnList[j]
                    let distance = (pairs[c] + p2[c]) + (p4[c] + p6[c])
                    if distance < limit[j] { insert(base &+ j, distance, order32) }
                    j &+= 1
                }
            }
        }
        for r in 0 ..< nr {
            for j in 0 ..< nc { finish(r * nc + j, x: columns[j], y: rows[r]) }
        }
    }

    /// Whether entry (d1, o1) ranks after (d2, o2): farther, or as far and found later.
    @inline(__always)
    private func after(_ d1: Float, _ o1: Int32, _ d2: Float, _ o2: Int32) -> Bool {
        d1 > d2 || (d1 == d2 && o1 > o2)
    }

    /// Adds a candidate to a reference's max-heap of its best matches so far.
    @inline(__always)
    private func insert(_ ref: Int, _ d: Float, _ order: Int32) {
        let k = maxMatches
        let hd = heapDistance + ref * k, ho = heapOrder + ref * k
        let n = Int(counts[ref])
        if n < k {
            var i = n
            while i > 0 {
                let parent = (i - 1) / 2
                guard after(d, order, hd[parent], ho[parent]) else { break }
                hd[i] = hd[parent]
                ho[i] = ho[parent]
                i = parent
            }
            hd[i] = d
            ho[i] = order
            counts[ref] = Int32(n + 1)
            if n + 1 == k { limits[ref] = hd[0] }
        } else {
            var i = 0
            while true {
                let left = 2 * i + 1
                if left >= k { break }
                var child = left
                if left + 1 < k && after(hd[left + 1], ho[left + 1], hd[left], ho[left]) { child = left + 1 }
                guard after(hd[child], ho[child], d, order) else { break }
                hd[i] = hd[child]
                ho[i] = ho[child]
                i = child
            }
            hd[i] = d
            ho[i] = order
            limits[ref] = hd[0]
        }
    }

    /// Sorts a reference's matches, keeps the largest power of two of them and
    /// turns them into patch corners.
    private func finish(_ ref: Int, x: Int, y: Int) {
        let k = maxMatches
        let hd = heapDistance + ref * k, ho = heapOrder + ref * k
        var n = Int(counts[ref])
        if n == 0 {
            // Only a NaN distance keeps the reference out of its own group.
            hd[0] = 0
            ho[0] = 0
            n = 1
        }
        for i in 1 ..< n {
            let d = hd[i], o = ho[i]
            var j = i
            while j > 0 && after(hd[j - 1], ho[j - 1], d, o) {
                hd[j] = hd[j - 1]
                ho[j] = ho[j - 1]
                j -= 1
            }
            hd[j] = d
            ho[j] = o
        }
        var size = 1
        while size * 2 <= n { size *= 2 }
        groupSizes[ref] = Int32(size)
        for m in 0 ..< size {
            let offset = offsets[Int(ho[m])]
            memberX[ref * k + m] = Int32(x + offset.dx)
            memberY[ref * k + m] = Int32(y + offset.dy)
        }
    }
}
