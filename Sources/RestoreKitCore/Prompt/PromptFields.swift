/// The four prompts that steer a restoration (SPIRE's semantic and restoration
/// prompts, XPSR's quality and negative prompts), each valid UTF-8 of at most
/// `maxBytes` bytes.
///
/// - semantic: what the image shows ("a red fox in snow"); used by generative
///   backends, passed through by the others.
/// - restoration: what is wrong and how strongly, in the restoration-prompt
///   language (`RestorationPrompt.parse`); empty means "analyse the image".
/// - quality: XPSR's low-level description ("the background is blurry, strong noise").
/// - negative: what to steer away from; XPSR's default unless set.
public struct PromptFields: Hashable, Sendable {
    /// One of the four prompts.
    public enum Field: CaseIterable, Sendable {
        /// What the image shows.
        case semantic
        /// What is wrong with it, in the restoration-prompt language.
        case restoration
        /// Its low-level quality, in words.
        case quality
        /// What the result should not look like.
        case negative

        /// The field's name as hosts show it: "semantic-prompt", "restoration-prompt", …
        public var name: String {
            switch self {
            case .semantic: return "semantic-prompt"
            case .restoration: return "restoration-prompt"
            case .quality: return "quality-prompt"
            case .negative: return "negative-prompt"
            }
        }
    }

    /// The longest a prompt may be, in UTF-8 bytes.
    public static let maxBytes = 4096

    /// XPSR's negative prompt.
    public static let defaultNegative = "blurry, dotted, noise, unclear, lowres, over-smoothed"

    /// What the image shows.
    public private(set) var semantic: String
    /// What is wrong with it, in the restoration-prompt language.
    public private(set) var restoration: String
    /// Its low-level quality, in words.
    public private(set) var quality: String
    /// What the result should not look like.
    public private(set) var negative: String

    /// No prompts but XPSR's negative one.
    public init() {
        semantic = ""
        restoration = ""
        quality = ""
        negative = Self.defaultNegative
    }

    /// The given prompts (by default all empty, the negative one XPSR's).
    ///
    /// - Throws: `RestoreError(.invalidPrompt)` when one is longer than `maxBytes`.
    public init(semantic: String = "", restoration: String = "", quality: String = "",
                negative: String = PromptFields.defaultNegative) throws {
        self.semantic = ""
        self.restoration = ""
        self.quality = ""
        self.negative = ""
        try set(.semantic, to: semantic)
        try set(.restoration, to: restoration)
        try set(.quality, to: quality)
        try set(.negative, to: negative)
    }

    /// The text of `field`.
    public subscript(field: Field) -> String {
        switch field {
        case .semantic: return semantic
        case .restoration: return restoration
        case .quality: return quality
        case .negative: return negative
        }
    }

    /// Replaces `field` with `text`.
    ///
    /// - Throws: `RestoreError(.invalidPrompt)` when `text` is longer than
    ///   `maxBytes` in UTF-8; the field keeps its old text.
    public mutating func set(_ field: Field, to text: String) throws {
        let bytes = text.utf8.count
        guard bytes <= Self.maxBytes else {
            throw RestoreError(.invalidPrompt,
                               "\(field.name) is \(bytes) bytes long; the limit is \(Self.maxBytes) bytes")
        }
        switch field {
        case .semantic: semantic = text
        case .restoration: restoration = text
        case .quality: quality = text
        case .negative: negative = text
        }
    }

    /// Replaces `field` with the text `bytes` encode (from a C string or a
    /// file), after checking that they are valid UTF-8 of at most `maxBytes`.
    ///
    /// - Throws: `RestoreError(.invalidPrompt)` naming the field and the offset
    ///   of the first byte that is not UTF-8, or the length; the field keeps its
    ///   old text.
    public mutating func set(_ field: Field, utf8 bytes: some Collection<UInt8>) throws {
        guard bytes.count <= Self.maxBytes else {
            throw RestoreError(.invalidPrompt, "\(field.name) is longer than the limit of \(Self.maxBytes) bytes")
        }
        if let problem = Self.firstProblem(in: bytes) {
            throw RestoreError(.invalidPrompt,
                               "\(field.name) is not valid UTF-8 (byte \(problem.byte) starts a bad sequence)")
        }
        try set(field, to: String(decoding: bytes, as: UTF8.self))
    }

    /// Where `bytes` stop being usable as a field, in Unicode scalars (the unit of
    /// prompt error offsets): at the first byte that is not UTF-8, or where they
    /// pass `maxBytes`; nil when they are a valid field.
    public static func problemOffset(utf8 bytes: some Collection<UInt8>) -> Int? {
        firstProblem(in: bytes)?.scalar
    }

    /// The first byte of `bytes` that is not UTF-8 or passes `maxBytes`, and how
    /// many scalars come before it; nil when there is none.
    private static func firstProblem(in bytes: some Collection<UInt8>) -> (byte: Int, scalar: Int)? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var scalars = 0, length = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if length + encoded.count > maxBytes { return (length, scalars) }
                length += encoded.count
                scalars += 1
            case .emptyInput: return nil
            case .error: return (length, scalars)
            }
        }
    }

    /// The restoration prompt, parsed.
    ///
    /// - Throws: `RestoreError(.invalidPrompt)` with the parse error's message
    ///   ("restoration prompt at character 7: …").
    public func restorationPrompt() throws -> RestorationPrompt {
        do {
            return try RestorationPrompt.parse(restoration)
        } catch {
            throw error.restoreError
        }
    }
}
