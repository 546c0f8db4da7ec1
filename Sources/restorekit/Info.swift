import ArgumentParser
import RestoreKitCore

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an image file's size, channels, bit depth, format and JPEG tables.")

    @Argument(help: "A PNG or JPEG file.")
    var file: String

    func run() throws {
        let decoded = try reportingErrors { try ImageFile.read(file) }
        let image = decoded.image
        print("file:      \(file)")
        print("format:    \(decoded.format.rawValue) (\(decoded.storage))")
        print("size:      \(image.width) × \(image.height)")
        print("channels:  \(image.layout.channelCount) (\(image.layout.name))")
        print("bit depth: \(decoded.bitDepth)")
        if let icc = decoded.iccProfile { print("ICC:       \(icc.count) bytes") }
        for warning in decoded.warnings { print("warning:   \(warning)") }
        guard let jpeg = decoded.jpeg else { return }
        for (slot, table) in jpeg.tables.enumerated() {
            guard let table else { continue }
            let users = jpeg.componentTables.indices.filter { jpeg.componentTables[$0] == slot }
            print("quantisation table \(slot) (component \(users.map(String.init).joined(separator: ", "))):")
            for row in 0 ..< 8 {
                let cells = table[row * 8 ..< row * 8 + 8].map { pad(String($0), 4) }
                print("  " + cells.joined())
            }
        }
    }
}

/// Right-aligns `text` in `width` columns.
func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
