/// What is wrong with an image, as the restoration prompt states it (SPIRE's
/// grammar): which degradations to remove and, for each, its strength or a
/// request to estimate it.
///
/// Clauses not present are nil. The parser (`RestorationPrompt.parse`) and the
/// canonical printer (`description`) round-trip: `parse(p.description) == p`
/// for every prompt whose values lie in their clauses' valid ranges
/// (`RestorationClause.accepts`).
///
/// "Remove all degradation" combines with stated clauses: the stated clauses
/// fix those degradations (a number, or a bare verb asking for an estimate) and
/// blind restoration covers everything else.
public struct RestorationPrompt: Equatable, Sendable {
    /// A clause's strength: stated, or left to the analyser (a bare verb).
    public enum Setting<Value: Equatable & Sendable>: Equatable, Sendable {
        /// "Denoise" with no number: the strength is to be estimated.
        case estimate
        /// The stated strength.
        case value(Value)

        /// The stated value, nil when it is to be estimated.
        public var value: Value? {
            if case .value(let v) = self { return v }
            return nil
        }

        /// The same setting with its value transformed (an estimate stays one).
        func map<T>(_ transform: (Value) -> T) -> Setting<T> {
            switch self {
            case .estimate: return .estimate
            case .value(let v): return .value(transform(v))
            }
        }
    }

    /// "Deblur with sigma S": Gaussian blur of standard deviation S pixels.
    public var deblur: Setting<Double>?
    /// "Upsample to F": enlarge by the factor F.
    public var upsample: Setting<Double>?
    /// "Denoise with sigma N": additive Gaussian noise of standard deviation N
    /// (image units, samples in [0, 1]).
    public var denoise: Setting<Double>?
    /// How that noise varies with brightness and how coarse its grain is
    /// ("Denoise with sigma 0.05 in shadows, 0.02 in highlights, grain 2"); nil
    /// for white noise of one σ. When it states tones, `denoise` holds its σ at
    /// mid-grey (what restorers that take one σ use).
    public var denoiseProfile: NoiseProfile?
    /// "Dejpeg with quality Q": JPEG compression at IJG quality Q.
    public var dejpeg: Setting<Int>?
    /// "Remove all degradation": blind restoration.
    public var removeAllDegradation: Bool

    /// A prompt with the given clauses (none by default: the empty prompt).
    public init(deblur: Setting<Double>? = nil, upsample: Setting<Double>? = nil,
                denoise: Setting<Double>? = nil, denoiseProfile: NoiseProfile? = nil,
                dejpeg: Setting<Int>? = nil, removeAllDegradation: Bool = false) {
        self.deblur = deblur
        self.upsample = upsample
        self.denoise = denoise
        self.denoiseProfile = denoiseProfile
        self.dejpeg = dejpeg
        self.removeAllDegradation = removeAllDegradation
    }

    /// True when no clause is present ("analyse the image and fill this in").
    public var isEmpty: Bool {
        deblur == nil && upsample == nil && denoise == nil && dejpeg == nil && !removeAllDegradation
    }

    /// True when some clause asks for an estimate (a bare verb, blind mode or the
    /// empty prompt), i.e. when the analyser must run before restoring.
    public var needsEstimate: Bool {
        isEmpty || removeAllDegradation || deblur == .estimate || upsample == .estimate
            || denoise == .estimate || dejpeg == .estimate
    }

    /// The setting of `clause`, its number as a Double (JPEG quality included).
    /// Setting a quality requires a whole number in Int's range.
    subscript(clause: RestorationClause) -> Setting<Double>? {
        get {
            switch clause {
            case .deblur: return deblur
            case .upsample: return upsample
            case .denoise: return denoise
            case .dejpeg: return dejpeg?.map(Double.init)
            }
        }
        set {
            switch clause {
            case .deblur: deblur = newValue
            case .upsample: upsample = newValue
            case .denoise: denoise = newValue
            case .dejpeg: dejpeg = newValue?.map { Int($0) }
            }
        }
    }
}
