import Foundation
import Testing
@testable import RestoreKitCore

/// The reference outputs written by scripts/resize-fixture (Pillow on "F" images).
struct DegradeResizeManifest: Decodable {
    struct Plane: Decodable {
        let file: String
        let width: Int
        let height: Int
    }
    struct Case: Decodable, CustomTestStringConvertible {
        let filter: String
        let width: Int
        let height: Int
        let file: String
        var testDescription: String { "\(filter) to \(width) × \(height)" }
    }
    let pillow: String
    let input: Plane
    let cases: [Case]

    static let shared: DegradeResizeManifest = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: DegradeTestSupport.resizeFixture("manifest.json")))
        return try! JSONDecoder().decode(DegradeResizeManifest.self, from: data)
    }()

    static let input: Image = {
        let plane = shared.input
        return try! Image(width: plane.width, height: plane.height, layout: .gray,
                          samples: DegradeTestSupport.floats(DegradeTestSupport.resizeFixture(plane.file)))
    }()
}

@Suite("Degrade: resize")
struct DegradeResizeTests {
    @Test("matches Pillow's Image.resize on float images within 1/255", arguments: DegradeResizeManifest.shared.cases)
    func matchesPillow(reference: DegradeResizeManifest.Case) throws {
        let filter = try #require(ResizeFilter(rawValue: reference.filter))
        let expected = try DegradeTestSupport.floats(DegradeTestSupport.resizeFixture(reference.file))
        let out = try DegradeResizeManifest.input.resized(width: reference.width, height: reference.height, filter: filter)
        #expect(out.width == reference.width && out.height == reference.height)
        let difference = DegradeTestSupport.maxDifference(out.samples, expected)
        #expect(difference <= 1.0 / 255)
        // In practice the two agree to float rounding (the weights are the same).
        #expect(difference < 1e-5, "max |Δ| = \(difference) against Pillow \(DegradeResizeManifest.shared.pillow)")
    }

    @Test("resizing by a factor rounds the new sides and uses the same grid")
    func byScale() throws {
        let input = DegradeResizeManifest.input   // 40 × 28
        let half = try input.resized(scale: 0.5, filter: .bicubic)
        #expect(half == (try input.resized(width: 20, height: 14, filter: .bicubic)))
        let up = try input.resized(scale: 1.65, filter: .lanczos)
        #expect(up.width == 66 && up.height == 46)
        #expect(try input.resized(scale: 0.001, filter: .area).width == 1)
        #expect(throws: RestoreError.self) { try input.resized(scale: 0, filter: .bilinear) }
        #expect(throws: RestoreError.self) { try input.resized(width: 0, height: 3, filter: .bilinear) }
    }

    @Test("without antialiasing, halving bilinearly averages pixel pairs (PyTorch's F.interpolate)")
    func aliasing() throws {
        let input = DegradeTestSupport.random(width: 16, height: 2, layout: .gray, seed: 21)
        let out = try input.resized(width: 8, height: 2, filter: .bilinear, antialias: false)
        for x in 0 ..< 8 {
            #expect(abs(out[x, 1, 0] - (input[2 * x, 1, 0] + input[2 * x + 1, 1, 0]) / 2) < 1e-6)
        }
        // Antialiased, the triangle spans four inputs.
        let smooth = try input.resized(width: 8, height: 2, filter: .bilinear)
        #expect(smooth != out)
        // Area always averages.
        #expect(try input.resized(width: 8, height: 2, filter: .area, antialias: false)
            == (try input.resized(width: 8, height: 2, filter: .area)))
    }

    @Test("every plane, alpha included, is resized alike; layout and encoding are kept")
    func planes() throws {
        let plane = DegradeResizeManifest.input.samples
        var rgba = try Image(width: 40, height: 28, layout: .rgba,
                             samples: plane + plane.map { 1 - $0 } + plane + plane.map { $0 / 2 })
        rgba.encoding = .linear
        let out = try rgba.resized(width: 26, height: 18, filter: .lanczos)
        #expect(out.layout == .rgba && out.encoding == .linear)
        let single = try DegradeResizeManifest.input.resized(width: 26, height: 18, filter: .lanczos).samples
        #expect(Array(out.plane(0)) == single && Array(out.plane(2)) == single)
        #expect(DegradeTestSupport.maxDifference(out.plane(1), single.map { 1 - $0 }) < 1e-5)
        #expect(DegradeTestSupport.maxDifference(out.plane(3), single.map { $0 / 2 }) < 1e-6)
    }

    @Test("the same size is an exact copy")
    func identity() throws {
        let input = DegradeResizeManifest.input
        for filter in ResizeFilter.allCases {
            #expect(try input.resized(width: 40, height: 28, filter: filter) == input)
        }
    }
}
