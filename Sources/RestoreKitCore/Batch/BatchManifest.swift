/// One image of a batch as a manifest states it: where it comes from, where
/// it goes (relative to the output folder) and the settings that override the
/// command line's for it alone.
public struct BatchItem: Sendable, Hashable {
    /// The input path as written (relative paths are relative to the manifest's folder).
    public var input: String
    /// The output path relative to the output folder, normalised ("a/b.png").
    public var output: String
    /// Settings by their command-line name (`BatchManifest.settings`), as text.
    public var overrides: [String: String]
    /// The manifest line the item starts on (1-based; 0 for items found in a folder).
    public var line: Int

    public init(input: String, output: String, overrides: [String: String] = [:], line: Int = 0) {
        self.input = input
        self.output = output
        self.overrides = overrides
        self.line = line
    }
}

/// Manifests of `restorekit batch`: CSV with a header row, or JSON Lines with
/// one object per image. Each names `input`, optionally `output`, and any of
/// `settings`; an empty CSV cell or a JSON null leaves the command line's value.
/// Blank lines and CSV lines starting with '#' are skipped.
public enum BatchManifest {
    /// The per-image settings a manifest may give, by their `restore` option names.
    public static let settings: [String] = [
        "restoration", "semantic", "quality-prompt", "negative-prompt", "model", "strength", "steps",
        "guidance", "seed", "tile-size", "depth", "jpeg-quality",
    ]

    /// Other spellings of settings: the core's option names and the CLI's aliases.
    public static let aliases: [String: String] = [
        "restoration-prompt": "restoration", "prompt": "semantic", "semantic-prompt": "semantic",
        "tile": "tile-size", "tile_size": "tile-size", "quality_prompt": "quality-prompt",
        "negative_prompt": "negative-prompt", "jpeg_quality": "jpeg-quality",
        "restoration_prompt": "restoration", "semantic_prompt": "semantic",
    ]

    /// Whether `name` (a file name or path) is a manifest by its extension.
    public static func isManifest(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".csv") || lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson")
    }

    /// Parses the manifest `bytes`; `name` (its path) starts every error message,
    /// followed by the line number: "list.csv:7: strength is not a number".
    public static func parse(_ bytes: [UInt8], name: String) throws -> [BatchItem] {
        let items = name.lowercased().hasSuffix(".csv") ? try parseCSV(bytes, name: name)
                                                         : try parseJSONLines(bytes, name: name)
        var seen: [String: Int] = [:]
        for item in items {
            if let first = seen[item.output] {
                throw RestoreError(.invalidArgument, "\(name):\(item.line): output '\(item.output)' is "
                                   + "already written by line \(first)")
            }
            seen[item.output] = item.line
        }
        return items
    }

    // MARK: CSV

    static func parseCSV(_ bytes: [UInt8], name: String) throws -> [BatchItem] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw RestoreError(.invalidArgument, "\(name): not UTF-8 text")
        }
        let rows = try csvRows(Array(text.unicodeScalars), name: name)
        guard let headerIndex = rows.firstIndex(where: { !$0.isSkipped }) else {
            throw RestoreError(.invalidArgument, "\(name): no header row (e.g. input,output,restoration)")
        }
        let header = rows[headerIndex]
        var columns: [String] = []
        for cell in header.cells {
            let key = try settingName(cell.trimmed, name: name, line: header.line, allowPaths: true)
            guard !columns.contains(key) else {
                throw RestoreError(.invalidArgument, "\(name):\(header.line): column '\(key)' appears twice")
            }
            columns.append(key)
        }
        guard columns.contains("input") else {
            throw RestoreError(.invalidArgument, "\(name):\(header.line): the header row has no 'input' column")
        }
        var items: [BatchItem] = []
        for row in rows[(headerIndex + 1)...] where !row.isSkipped {
            guard row.cells.count == columns.count else {
                throw RestoreError(.invalidArgument, "\(name):\(row.line): \(row.cells.count) fields; "
                                   + "the header has \(columns.count)")
            }
            var fields: [String: String] = [:]
            for (key, cell) in zip(columns, row.cells) where !cell.isEmpty { fields[key] = cell }
            items.append(try item(fields, name: name, line: row.line))
        }
        return items
    }

    private struct Row {
        var cells: [String]
        var line: Int
        var isSkipped: Bool {
            (cells.count == 1 && cells[0].trimmed.isEmpty) || (cells.first?.hasPrefix("#") ?? false)
        }
    }

    /// RFC 4180 records: fields separated by commas, quoted fields may hold
    /// commas, newlines and doubled quotes; CRLF or LF line ends.
    private static func csvRows(_ scalars: [Unicode.Scalar], name: String) throws -> [Row] {
        var rows: [Row] = []
        var cells: [String] = []
        var cell = String.UnicodeScalarView()
        var line = 1, rowLine = 1
        var i = 0
        var quoted = false, wasQuoted = false
        func endCell() { cells.append(String(cell)); cell = String.UnicodeScalarView(); wasQuoted = false }
        while i < scalars.count {
            let c = scalars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < scalars.count && scalars[i + 1] == "\"" { cell.append("\""); i += 1 } else { quoted = false }
                } else {
                    if c == "\n" { line += 1 }
                    cell.append(c)
                }
            } else {
                switch c {
                case ",": endCell()
                case "\r" where i + 1 < scalars.count && scalars[i + 1] == "\n": break
                case "\n":
                    endCell()
                    rows.append(Row(cells: cells, line: rowLine))
                    cells = []
                    line += 1
                    rowLine = line
                case "\"":
                    guard cell.isEmpty, !wasQuoted else {
                        throw RestoreError(.invalidArgument, "\(name):\(line): a quote inside an unquoted field "
                                           + "(quote the whole field and double the quote)")
                    }
                    quoted = true
                    wasQuoted = true
                default:
                    if wasQuoted {
                        throw RestoreError(.invalidArgument, "\(name):\(line): text after a quoted field's closing quote")
                    }
                    cell.append(c)
                }
            }
            i += 1
        }
        if quoted { throw RestoreError(.invalidArgument, "\(name):\(rowLine): a quoted field is never closed") }
        if !cell.isEmpty || !cells.isEmpty {
            endCell()
            rows.append(Row(cells: cells, line: rowLine))
        }
        return rows
    }

    // MARK: JSON Lines

    static func parseJSONLines(_ bytes: [UInt8], name: String) throws -> [BatchItem] {
        var items: [BatchItem] = []
        for (n, line) in bytes.split(separator: 10, omittingEmptySubsequences: false).enumerated() {
            let lineNumber = n + 1
            var content = Array(line)
            if content.last == 13 { content.removeLast() }
            if content.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            let value: JSONValue
            do {
                value = try JSONValue.parse(content)
            } catch {
                throw RestoreError(.invalidArgument, "\(name):\(lineNumber): not JSON: \(error.message)")
            }
            guard let object = value.object else {
                throw RestoreError(.invalidArgument, "\(name):\(lineNumber): expected an object like "
                                   + "{\"input\": \"a.png\"}, not \(value.kindDescription)")
            }
            var fields: [String: String] = [:]
            for (rawKey, member) in object {
                let key = try settingName(rawKey, name: name, line: lineNumber, allowPaths: true)
                switch member {
                case .null: continue
                case .string(let s): fields[key] = s
                case .number(let v):
                    fields[key] = v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
                default:
                    throw RestoreError(.invalidArgument, "\(name):\(lineNumber): '\(rawKey)' must be a string "
                                       + "or a number, not \(member.kindDescription)")
                }
            }
            items.append(try item(fields, name: name, line: lineNumber))
        }
        return items
    }

    // MARK: Shared

    private static func settingName(_ raw: String, name: String, line: Int, allowPaths: Bool) throws -> String {
        let key = raw.lowercased()
        if key == "input" || key == "output" { return key }
        if settings.contains(key) { return key }
        if let canonical = aliases[key] { return canonical }
        if key == "threads" || key == "jobs" {
            throw RestoreError(.invalidArgument, "\(name):\(line): '\(raw)' is set for the whole batch "
                               + "(--threads, --jobs), not per image")
        }
        throw RestoreError(.invalidArgument, "\(name):\(line): unknown field '\(raw)'; fields are input, output, "
                           + settings.joined(separator: ", "))
    }

    private static func item(_ fields: [String: String], name: String, line: Int) throws -> BatchItem {
        guard let input = fields["input"], !input.isEmpty else {
            throw RestoreError(.invalidArgument, "\(name):\(line): no input")
        }
        let output: String
        if let given = fields["output"] {
            guard let normal = BatchPaths.normalisedRelative(given) else {
                throw RestoreError(.invalidArgument, "\(name):\(line): output '\(given)' must be a relative path "
                                   + "inside the output folder (no '..')")
            }
            output = normal
        } else {
            output = BatchPaths.normalisedRelative(input) ?? BatchPaths.lastComponent(input)
        }
        guard ImageFormat(path: output) != nil else {
            throw RestoreError(.invalidArgument, "\(name):\(line): output '\(output)' must end in .png, .jpg or .jpeg")
        }
        guard !BatchPaths.isReserved(output) else {
            throw RestoreError(.invalidArgument, "\(name):\(line): output '\(output)' is a name the batch keeps for itself")
        }
        var overrides = fields
        overrides["input"] = nil
        overrides["output"] = nil
        return BatchItem(input: input, output: output, overrides: overrides, line: line)
    }
}

/// Paths inside a batch's output folder.
public enum BatchPaths {
    /// `path` without "." components and repeated slashes, or nil when it is
    /// absolute, empty, names a folder or climbs out with "..".
    public static func normalisedRelative(_ path: String) -> String? {
        guard !path.hasPrefix("/"), !path.hasSuffix("/") else { return nil }
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard !parts.isEmpty, !parts.contains("..") else { return nil }
        return parts.joined(separator: "/")
    }

    /// The file name at the end of `path`.
    public static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Whether `relative` is one of the batch's own files or an atomic write's temporary file.
    public static func isReserved(_ relative: String) -> Bool {
        let name = lastComponent(relative)
        return name.hasPrefix(".restorekit-batch-") || name.hasPrefix("restorekit-batch-")
            || temporaryTarget(of: name) != nil
    }

    /// For a temporary file of `FileIO.writeAtomically` (".NAME.tmp-XXXXXX"), NAME; else nil.
    public static func temporaryTarget(of name: String) -> String? {
        guard name.hasPrefix("."), name.utf8.count > 12 else { return nil }
        let utf8 = Array(name.utf8)
        let suffix = utf8.suffix(11)
        guard Array(suffix.prefix(5)) == Array(".tmp-".utf8) else { return nil }
        return String(decoding: utf8[1 ..< utf8.count - 11], as: UTF8.self)
    }
}

extension String {
    fileprivate var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
