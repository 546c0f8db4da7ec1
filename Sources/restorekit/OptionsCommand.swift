import ArgumentParser
import RestoreKitCore

struct OptionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "options",
        abstract: "List every restoration option with its default and range.",
        discussion: """
            The one declaration every surface follows: the C header's restore_params_init, the GEGL \
            operation's properties, the GIMP procedure, the Python binding and 'restorekit restore'. \
            Options of scope "stage" change pixels only where a stage of the plan reads them (the \
            semantic, quality and negative prompts, steps, guidance and seed: generative models); \
            'restorekit restore' names those that had no effect. --json prints the declaration as JSON.
            """)

    @Flag(help: "Print the declaration as JSON.")
    var json = false

    func run() {
        if json {
            print(RequestOption.json)
            return
        }
        for option in RequestOption.all {
            let spelling = option.flag ?? "C and Python only: image files carry their own encoding"
            print("\(option.name) (\(spelling)): \(option.range), default \(option.defaultValue)")
            print("    \(option.summary)")
        }
    }
}

extension RequestOption {
    /// The option as `restorekit restore` spells it; nil for "linear", which
    /// image files decide.
    var flag: String? {
        switch id {
        case .restorationPrompt: return "--restoration"
        case .semanticPrompt: return "--semantic"
        case .linear: return nil
        default: return "--" + name
        }
    }

    /// "1–1000", "at most 4096 bytes", "on or off".
    var range: String {
        switch kind {
        case .text(let limit): return "text of at most \(limit) bytes"
        case .integer(let range): return "\(range.lowerBound)–\(range.upperBound)"
        case .number(let range): return "\(OptionValue.number(range.lowerBound))–\(OptionValue.number(range.upperBound))"
        case .flag: return "on or off"
        }
    }
}

extension ArgumentHelp {
    /// The declared summary and range of option `id`; ArgumentParser adds the default.
    static func option(_ id: RequestOption.ID) -> ArgumentHelp {
        let option = RequestOption.declared(id)
        return ArgumentHelp("\(option.summary); \(option.range).")
    }
}
