internal import CKernels

/// The instruction sets the C kernels (`CKernels`) are built for. Every kernel has a portable build and, on
/// x86-64, AVX2 and AVX-512 builds chosen at run time; results agree to the accuracy each kernel states.
public enum InstructionSet: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// Plain C on 8-lane vectors of the baseline target, without FMA.
    case portable = 0
    /// AVX2 with FMA and F16C.
    case avx2 = 1
    /// AVX-512 (F, BW, DQ, VL) with FMA and F16C.
    case avx512 = 2

    /// The set every kernel runs on: the best this CPU supports, lowered to the one named by the environment
    /// variable `SWIFTLENS_ISA` (`portable`, `avx2`, `avx512`) when it is set before the first kernel call.
    public static let active = InstructionSet(rawValue: sl_isa_default()) ?? .portable

    /// Whether this CPU and OS can run the set.
    public var isSupported: Bool { sl_isa_supported(rawValue) != 0 }

    public var description: String {
        switch self {
        case .portable: return "portable"
        case .avx2: return "avx2"
        case .avx512: return "avx512"
        }
    }
}
