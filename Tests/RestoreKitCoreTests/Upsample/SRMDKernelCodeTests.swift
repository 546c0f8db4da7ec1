import Testing
@testable import RestoreKitCore

/// SRMD's kernel codes: the shipped projection must be the one the network
/// was trained with, shown by the delta kernel's code that srmd-ncnn-vulkan
/// carries.
@Suite struct SRMDKernelCodeTests {
    /// srmd-ncnn-vulkan's `degradation_vector`, the code it feeds every image.
    static let referenceDeltaCode: [Double] = [
        -1.12360956e-08, -1.36899159e-08, 1.85637958e-02, 2.86066886e-08, 3.35292965e-02,
        8.37272935e-08, -2.54424009e-07, -3.16234976e-02, -1.35169253e-02, -1.10466090e-08,
        3.84753793e-02, 3.79465739e-08, -2.44916752e-01, -8.02213490e-01, -5.40549755e-01,
    ]

    @Test func projectionOfTheDeltaKernelIsTheReferenceCode() throws {
        #expect(SRMDKernelProjection.matrix.count == 15 * 225)
        let side = SRMDKernelProjection.side
        var weights = [Float](repeating: 0, count: side * side)
        weights[7 * side + 7] = 1
        let code = try SRMDKernelCode.code(of: BlurKernel(size: side, weights: weights))
        let error = zip(code, Self.referenceDeltaCode).map { abs(Double($0) - $1) }.max()!
        #expect(error <= 1e-6, "P · vec(δ) is off the reference by \(error)")
        #expect(SRMDKernelCode.delta == code)
        #expect(try SRMDKernelCode.gaussian(sigma: 0) == code)
    }

    /// The projection reads MATLAB's column-major vec(k): a kernel and its
    /// transpose differ in code, and a tap off the centre lands in column x · 15 + y.
    @Test func kernelsAreReadColumnByColumn() throws {
        let side = SRMDKernelProjection.side
        var weights = [Float](repeating: 0, count: side * side)
        weights[2 * side + 9] = 1 // row 2, column 9
        let code = try SRMDKernelCode.code(of: BlurKernel(size: side, weights: weights))
        let column = (0 ..< 15).map { SRMDKernelProjection.matrix[$0 * 225 + 9 * side + 2] }
        #expect(code == column)
    }

    /// Gaussians move away from the delta code as σ grows, and an
    /// isotropic kernel's code does not depend on the reading order.
    @Test func gaussianCodesGrowWithSigma() throws {
        func distance(_ a: [Float], _ b: [Float]) -> Double {
            zip(a, b).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot()
        }
        let sigmas = [0.1, 0.5, 1.2, 2.0, 4.0]
        let distances = try sigmas.map { distance(try SRMDKernelCode.gaussian(sigma: $0), SRMDKernelCode.delta) }
        #expect(distances[0] < 1e-6) // σ 0.1 is a delta kernel to Float precision
        #expect(zip(distances, distances.dropFirst()).allSatisfy { $0 < $1 }, "\(distances)")
        #expect(throws: RestoreError.self) { try SRMDKernelCode.code(of: BlurKernel(.gaussian(sigma: 1), size: 13)) }
    }

    /// Blur within the trained ranges (σ up to the factor) is accepted; more is
    /// left to the classic deconvolution.
    @Test func trainedBlurRanges() {
        #expect(SRMDRestorer.accepts(factor: 2, blur: 2, noise: 0))
        #expect(!SRMDRestorer.accepts(factor: 2, blur: 2.1, noise: 0))
        #expect(SRMDRestorer.accepts(factor: 3, blur: 3, noise: 0.1))
        #expect(SRMDRestorer.accepts(factor: 4, blur: 0.1, noise: 0))
        #expect(!SRMDRestorer.accepts(factor: 4, blur: 4.5, noise: 0))
        #expect(!SRMDRestorer.accepts(factor: 2, blur: -1, noise: 0))
    }
}
