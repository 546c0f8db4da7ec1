/// A unit of work the planner asks a backend for: one degradation to undo, or
/// several that one joint solver undoes together. Values are the prompt's.
public enum RestorationTask: Equatable, Sendable, CustomStringConvertible {
    /// Remove JPEG artefacts of IJG quality `quality`; `tables` are the file's
    /// own quantisation tables (luma, chroma) when the input was a JPEG file.
    case dejpeg(quality: Int, tables: JPEGTables?)
    /// Remove additive Gaussian noise of standard deviation `sigma` ([0, 1] units).
    case denoise(sigma: Double)
    /// Remove noise whose σ changes with brightness or that comes in grains
    /// wider than a pixel, as `profile` states; `sigma` is its σ at mid-grey.
    case denoiseProfile(sigma: Double, profile: NoiseProfile)
    /// Remove a Gaussian blur of `sigma` pixels from an input that carries
    /// noise of about `noise` (what earlier stages left, or quantisation noise
    /// at 0): the restorer regularises for it.
    case deblur(sigma: Double, noise: Double)
    /// Remove a Gaussian blur of `sigma` pixels and Gaussian noise of `noise`
    /// together (a joint solver, e.g. plug-and-play with a denoising prior).
    case deblurDenoise(sigma: Double, noise: Double)
    /// Enlarge by `factor`, undoing a bicubic downscale that followed a Gaussian
    /// blur of `blur` pixels (0: none) at the high resolution; the input carries
    /// noise of about `noise`.
    case upsample(factor: Double, blur: Double, noise: Double)
    /// Enlarge by `factor` (as `upsample`) and remove Gaussian noise of
    /// standard deviation `noise` ([0, 1] units) present at the low
    /// resolution, together (a joint solver, e.g. SRMD).
    case upsampleDenoise(factor: Double, blur: Double, noise: Double)
    /// "Remove all degradation": remove whatever blur, noise and compression
    /// the image shows, without stated strengths, and enlarge by `scale` (1:
    /// keep the size). Needs a blind restorer (a learned model).
    case blind(scale: Double)
    /// Restore with a generative model, enlarging by `scale`, consistent with
    /// the (filled-in) restoration prompt.
    case generate(scale: Double)

    public var description: String {
        switch self {
        case .dejpeg(let q, let tables): return "dejpeg(quality: \(q)\(tables == nil ? "" : ", file tables"))"
        case .denoise(let s): return "denoise(sigma: \(s))"
        case .denoiseProfile(let s, let p):
            return "denoiseProfile(sigma: \(s), \(RestorationPrompt(denoise: .value(s), denoiseProfile: p)))"
        case .deblur(let s, let n): return "deblur(sigma: \(s), noise: \(n))"
        case .deblurDenoise(let s, let n): return "deblurDenoise(sigma: \(s), noise: \(n))"
        case .upsample(let f, let b, let n): return "upsample(factor: \(f), blur: \(b), noise: \(n))"
        case .upsampleDenoise(let f, let b, let n): return "upsampleDenoise(factor: \(f), blur: \(b), noise: \(n))"
        case .blind(let s): return "blind(scale: \(s))"
        case .generate(let s): return "generate(scale: \(s))"
        }
    }
}

/// The quantisation tables of a JPEG file, 64 steps each in natural order,
/// and how it stored its chroma.
public struct JPEGTables: Equatable, Sendable {
    public var luma: [UInt16]
    public var chroma: [UInt16]?
    /// The chroma subsampling of a colour file (4:2:0 unless known otherwise:
    /// libjpeg's and most cameras' default).
    public var subsampling: ChromaSubsampling

    public init(luma: [UInt16], chroma: [UInt16]?, subsampling: ChromaSubsampling = .both) {
        self.luma = luma
        self.chroma = chroma
        self.subsampling = subsampling
    }

    /// The tables (and chroma subsampling) a decoded file carried; nil for a
    /// file without a first table.
    public init?(_ info: JPEGInfo) {
        guard let luma = info.table(forComponent: 0), luma.count == 64 else { return nil }
        self.init(luma: luma, chroma: info.table(forComponent: 1).flatMap { $0.count == 64 ? $0 : nil },
                  subsampling: info.chromaSubsampling.flatMap(ChromaSubsampling.init(rawValue:)) ?? .both)
    }
}

extension RestorationTask {
    /// The prompt verb this task carries out: "dejpeg", "denoise", "deblur",
    /// "upsample", "remove all degradation".
    public var verb: String {
        switch self {
        case .dejpeg: return "dejpeg"
        case .denoise, .denoiseProfile: return "denoise"
        case .deblur, .deblurDenoise: return "deblur"
        case .upsample, .upsampleDenoise: return "upsample"
        case .blind: return "remove all degradation"
        case .generate: return "generate"
        }
    }
}

extension RestorationTask {
    /// Whether the task generates detail with a diffusion model.
    public var isGenerative: Bool {
        if case .generate = self { true } else { false }
    }
}
