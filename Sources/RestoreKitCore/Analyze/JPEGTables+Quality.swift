#if canImport(Glibc)
import Glibc
#endif

extension JPEGTables {
    /// The IJG quality these tables were written with, and whether they are
    /// exactly IJG's (`JPEGTables.ijg`): libjpeg, Pillow, OpenCV and GIMP
    /// write those. Other encoders' tables (cameras, Photoshop) get the
    /// quality whose IJG tables are nearest in log step size, low frequencies
    /// weighted most since they carry most of the image.
    public var ijgQuality: (quality: Int, exact: Bool) {
        func matches(_ candidate: JPEGTables) -> Bool {
            candidate.luma == luma && (chroma == nil || candidate.chroma == chroma)
        }
        if let exact = (1 ... 100).first(where: { matches(.ijg(quality: $0)) }) {
            return (exact, true)
        }
        func distance(_ a: [UInt16], _ b: [UInt16]) -> Double {
            var sum = 0.0
            for index in 0 ..< 64 {
                let weight = 1 / Double(1 + index / 8 + index % 8)
                let d = log(Double(max(a[index], 1))) - log(Double(max(b[index], 1)))
                sum += weight * d * d
            }
            return sum
        }
        func total(_ quality: Int) -> Double {
            let candidate = JPEGTables.ijg(quality: quality)
            var d = distance(luma, candidate.luma)
            if let chroma, let reference = candidate.chroma { d += distance(chroma, reference) }
            return d
        }
        let distances = (1 ... 100).map(total)
        let nearest = distances.indices.min { distances[$0] < distances[$1] }! + 1
        return (nearest, false)
    }
}
