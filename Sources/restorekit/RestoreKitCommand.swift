import ArgumentParser
import CRestoreABI
import RestoreKitCore

@main
struct RestoreKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restorekit",
        abstract: "Restore damaged photos, steered by prompts.",
        version: "\(RESTORE_VERSION_MAJOR).\(RESTORE_VERSION_MINOR).\(RESTORE_VERSION_PATCH)",
        subcommands: [RestoreCommand.self, BatchCommand.self, OptionsCommand.self, AnalyzeCommand.self, MontageCommand.self, Info.self, Convert.self, PromptCommand.self, MetricsCommand.self, DegradeCommand.self, ModelsCommand.self])
}
