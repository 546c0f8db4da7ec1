/// What the processor offers beyond the x86-64 baseline the engine is built for.
enum CPUFeatures {
    /// AVX2 and FMA, which `AVX2Kernels` is compiled for: the kernel's flags in
    /// /proc/cpuinfo (so also false where the kernel does not save AVX state).
    static let hasAVX2FMA: Bool = {
        #if arch(x86_64)
        guard let bytes = try? FileIO.read("/proc/cpuinfo") else { return false }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let flags = Set(line.split(separator: " "))
        return flags.contains("avx2") && flags.contains("fma")
        #else
        return false
        #endif
    }()
}
