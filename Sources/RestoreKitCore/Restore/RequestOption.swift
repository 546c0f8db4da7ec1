/// One setting of a restoration request: its name, the values it takes and
/// who reads it. `RequestOption.all` declares every option once; defaults come
/// from `RestorationRequest()`. The C header's `restore_params_init`, the GEGL
/// properties, the GIMP procedure, the Python binding and the CLI follow this
/// declaration (`restorekit options --json` prints it).
public struct RequestOption: Sendable, Hashable {
    /// Names an option. The raw value is its name on every surface, spelt with
    /// '-' (GEGL, GIMP, CLI) or '_' (C, Python).
    public enum ID: String, CaseIterable, Sendable {
        case semanticPrompt = "semantic-prompt"
        case restorationPrompt = "restoration-prompt"
        case qualityPrompt = "quality-prompt"
        case negativePrompt = "negative-prompt"
        case model
        case strength
        case steps
        case guidance
        case seed
        case fidelity
        case tileSize = "tile-size"
        case threads
        case linear
    }

    /// The values an option takes.
    public enum Kind: Sendable, Hashable {
        /// UTF-8 text of at most `maxBytes` bytes.
        case text(maxBytes: Int)
        /// An integer in the range.
        case integer(ClosedRange<Int64>)
        /// A finite real number in the range.
        case number(ClosedRange<Double>)
        /// On or off.
        case flag
    }

    /// What reads an option, which decides whether setting it can change pixels.
    public enum Scope: Sendable, Hashable {
        /// The engine itself (planning, tiling, colour encoding): always in effect.
        case request
        /// Only the stages that read it: inert in a plan where none does
        /// (`RestorationPlan.inertOptions`).
        case stage
    }

    /// The option's name.
    public let id: ID
    /// The values it takes.
    public let kind: Kind
    /// What reads it.
    public let scope: Scope
    /// One line for help texts, e.g. "Sampler steps of generative models".
    public let summary: String

    /// The option's name as GEGL, GIMP and the CLI spell it, e.g. "tile-size".
    public var name: String { id.rawValue }

    /// The default: the value `RestorationRequest()` holds.
    public var defaultValue: OptionValue { RestorationRequest()[id] }

    /// Throws `invalidArgument` (`invalidPrompt` for texts) naming the option
    /// unless `value` is of its kind and within its range.
    public func check(_ value: OptionValue) throws {
        switch (kind, value) {
        case (.text(let limit), .text(let text)):
            let bytes = text.utf8.count
            guard bytes <= limit else {
                throw RestoreError(.invalidPrompt, "\(name) is \(bytes) bytes long; the limit is \(limit) bytes")
            }
        case (.integer(let range), .integer(let v)):
            guard range.contains(v) else {
                throw RestoreError(.invalidArgument, "\(name) must be \(range.lowerBound)–\(range.upperBound), not \(v)")
            }
        case (.number(let range), .number(let v)):
            guard v.isFinite, range.contains(v) else {
                throw RestoreError(.invalidArgument, "\(name) must be \(OptionValue.number(range.lowerBound))–"
                                   + "\(OptionValue.number(range.upperBound)), not \(OptionValue.number(v))")
            }
        case (.flag, .flag):
            return
        default:
            throw RestoreError(.invalidArgument, "\(name) takes \(kind.noun), not \(value)")
        }
    }

    /// The declared option `id`.
    public static func declared(_ id: ID) -> RequestOption {
        all.first { $0.id == id }!
    }

    /// Every option, in the order surfaces list them.
    public static let all: [RequestOption] = [
        RequestOption(id: .semanticPrompt, kind: .text(maxBytes: PromptFields.maxBytes), scope: .stage,
                      summary: "What the picture shows, e.g. \"a red fox in snow\" (read by generative models; "
                          + "anime, manga, illustration, cartoon, comic, drawing or line art enlarges with "
                          + "Real-ESRGAN's anime networks)"),
        RequestOption(id: .restorationPrompt, kind: .text(maxBytes: PromptFields.maxBytes), scope: .request,
                      summary: "What is wrong, with numbers, e.g. \"Deblur with sigma 1.5, Denoise with sigma 0.04, "
                          + "Dejpeg with quality 40\"; empty: analyse the image"),
        RequestOption(id: .qualityPrompt, kind: .text(maxBytes: PromptFields.maxBytes), scope: .stage,
                      summary: "The image's flaws in words, e.g. \"the background is blurry, strong noise\" "
                          + "(read by generative models)"),
        RequestOption(id: .negativePrompt, kind: .text(maxBytes: PromptFields.maxBytes), scope: .stage,
                      summary: "What the result should not look like (read by generative models)"),
        RequestOption(id: .model, kind: .text(maxBytes: PromptFields.maxBytes), scope: .request,
                      summary: "\"auto\" (the best installed), \"classic\" (weight-free), a backend's name or an imported generative model's"),
        RequestOption(id: .strength, kind: .number(0 ... 1), scope: .stage,
                      summary: "How much of each same-size stage's correction to apply"),
        RequestOption(id: .steps, kind: .integer(1 ... 1000), scope: .stage,
                      summary: "Sampler steps of generative models"),
        RequestOption(id: .guidance, kind: .number(0 ... 30), scope: .stage,
                      summary: "Classifier-free guidance scale of generative models"),
        RequestOption(id: .seed, kind: .integer(0 ... 4_294_967_295), scope: .stage,
                      summary: "Random seed of generative models"),
        RequestOption(id: .fidelity, kind: .number(0 ... 1), scope: .stage,
                      summary: "How far a generative model's result is pulled back onto the input through the "
                          + "restoration prompt's blur and downsampling (1: reproduces it)"),
        RequestOption(id: .tileSize, kind: .integer(0 ... 8192), scope: .request,
                      summary: "Side of the output tiles rendered at a time, in pixels; 0 chooses from free memory, "
                          + "sides below 64 use 64"),
        RequestOption(id: .threads, kind: .integer(0 ... 256), scope: .request,
                      summary: "Threads to use; 0 uses every core"),
        RequestOption(id: .linear, kind: .flag, scope: .request,
                      summary: "Pixels are linear light instead of sRGB-encoded"),
    ]
}

extension RequestOption.Kind {
    /// "an integer", "a number", … for messages.
    var noun: String {
        switch self {
        case .text: return "text"
        case .integer: return "an integer"
        case .number: return "a number"
        case .flag: return "on or off"
        }
    }
}

/// The value of one option.
public enum OptionValue: Sendable, Hashable, CustomStringConvertible {
    case text(String)
    case integer(Int64)
    case number(Double)
    case flag(Bool)

    /// Numbers without a needless ".0" ("1", "5.5"), texts quoted.
    public var description: String {
        switch self {
        case .text(let s): return "\"\(s)\""
        case .integer(let v): return String(v)
        case .number(let v): return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case .flag(let on): return on ? "on" : "off"
        }
    }
}
