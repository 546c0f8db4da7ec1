/// The one error type of RestoreKit: a category a program can switch on and a
/// message a person can act on.
///
/// Hosts map `kind` onto their own status codes (the C ABI's `restore_status`);
/// `message` is complete on its own ("image is 70000 × 10 pixels; the limit is
/// 65535 on either side"), never a bare code.
public struct RestoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely.
    public enum Kind: Sendable, Equatable {
        /// A parameter is out of range or inconsistent.
        case invalidArgument
        /// A prompt could not be parsed or contradicts itself.
        case invalidPrompt
        /// The image exceeds the pixel budget or the side limit.
        case imageTooLarge
        /// A file is not a readable PNG or JPEG.
        case decodeFailed
        /// Encoding to PNG or JPEG failed.
        case encodeFailed
        /// The file system refused a read or a write.
        case io
        /// The work was cancelled by the caller.
        case cancelled
        /// An allocation failed.
        case outOfMemory
        /// A model file is missing or damaged.
        case model
        /// A capability is not (yet) available for this input.
        case unsupported
        /// The prompt asks for estimates (empty, a bare verb, blind mode
        /// without a learned model) and only part of the image was given:
        /// the whole image must be analysed first.
        case needsAnalysis
    }

    /// The category of the failure.
    public var kind: Kind
    /// A complete sentence for the user.
    public var message: String

    /// Creates an error of `kind` with a user-facing `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
