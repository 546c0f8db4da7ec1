/// The settings of one BM3D stage. Patches are always 8 × 8.
struct BM3DStageParameters: Sendable, Equatable {
    /// The most patches in a group (a power of two).
    var maxGroupSize: Int
    /// The search window is ±`searchRadius` pixels around the reference.
    var searchRadius: Int
    /// Reference patches sit every `step` pixels (plus the last row and column).
    var step: Int
    /// The largest squared distance, summed over the 64 pixels of the guide
    /// patch, at which a patch may join a group.
    var matchThreshold: Float
}

/// BM3D's settings for a noise level, after Dabov et al. (2007), CBM3D (2007)
/// and Lebrun's analysis (IPOL 2012): 8 × 8 patches, groups of up to 16
/// (stage 1) and 32 (stage 2), λ3D = 2.7, Kaiser β = 2.
///
/// Changes from the published profile: matching thresholds twice Lebrun's; in
/// stage 2 a search window of ±12 instead of ±19 and a reference step of 4
/// instead of 3, for 3.4 times fewer groups and block comparisons at almost no
/// cost in quality; stage 1 keeps ±16 and step 3, where the smaller search
/// costs more. Measured on CBSD68, see bench/NOTES.md.
struct BM3DParameters: Sendable, Equatable {
    var hardThreshold: BM3DStageParameters
    var wiener: BM3DStageParameters
    /// Hard threshold in units of σ (of an orthonormal 3-D coefficient).
    var lambda: Float
    /// Shape of the Kaiser aggregation window.
    var kaiserBeta: Double

    /// The settings for noise of standard deviation `sigma` ([0, 1] units) on
    /// `channels` colour channels (1 gray, 3 opponent colour).
    init(sigma: Double, channels: Int) {
        // Distances are measured on the guide plane: gray, or the opponent Y,
        // which carries √3 times the mean of R, G and B and therefore three
        // times the squared differences of gray structure, with the same noise.
        let scale = channels == 3 ? 3.0 : 1.0
        // Per-pixel mean squared distances on 0…255 values, raised for strong
        // noise, where even identical patches differ by 2σ² per pixel.
        let strong = sigma * 255 > 40
        let hardTau = strong ? 10000.0 : 6000.0
        let wienerTau = strong ? 7000.0 : 800.0
        let perPatch = 64 / (255.0 * 255.0)
        hardThreshold = BM3DStageParameters(maxGroupSize: 16, searchRadius: 16, step: 3,
                                            matchThreshold: Float(hardTau * perPatch * scale))
        wiener = BM3DStageParameters(maxGroupSize: 32, searchRadius: 12, step: 4,
                                     matchThreshold: Float(wienerTau * perPatch * scale))
        lambda = 2.7
        kaiserBeta = 2
    }

    /// Pixels of context a restored pixel depends on: the stage-2 output at p
    /// uses pilot pixels within 7 + 2·radius₂ (patches covering p, their
    /// references, those references' search windows), and each pilot pixel uses
    /// input pixels within 7 + 2·radius₁.
    var dependencyRadius: Int {
        14 + 2 * (hardThreshold.searchRadius + wiener.searchRadius)
    }
}
