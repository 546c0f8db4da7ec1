import ArgumentParser
import RestoreKitCore

@main
struct RestoreKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restorekit",
        abstract: "Restore damaged photos, steered by prompts.",
        version: RestoreKitVersion.string,
        subcommands: [RestoreCommand.self, AnalyzeCommand.self, MontageCommand.self, Info.self, Convert.self, PromptCommand.self, MetricsCommand.self, DegradeCommand.self, ModelsCommand.self])
}
