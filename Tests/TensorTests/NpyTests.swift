import Testing
@testable import Tensor

/// `.npy` files written by NumPy 2.4 (`Scripts/fixtures/tensor_io.py`); values follow the formulas
/// noted in the script and are compared exactly (every value is representable in its dtype).
@Suite struct NpyTests {
    private func load(_ name: String) throws -> Tensor {
        try Tensor(npyContentsOf: IOFixtures.path("npy/\(name).npy"))
    }

    @Test func readsFloatFilesWrittenByNumPy() throws {
        let f4 = try load("f4_c")
        #expect(f4.shape == [2, 3, 4] && f4.dtype == .float32)
        #expect(f4.scalars == (0..<24).map { Float($0) * 0.5 - 3 })
        let f2 = try load("f2")
        #expect(f2.shape == [2, 5] && f2.dtype == .float16)
        #expect(f2.scalars == (0..<10).map { Float($0) * 0.25 - 1 })
        let f8 = try load("f8")
        #expect(f8.shape == [6] && f8.dtype == .float32)
        #expect(f8.scalars == (0..<6).map { Float(Double($0) / 3) })
        let big = try load("be_f4")
        #expect(big.shape == [2, 3] && big.scalars == (0..<6).map { Float($0) * 1.5 })
    }

    @Test func readsIntegerAndBoolFiles() throws {
        let i4 = try load("i4")
        #expect(i4.dtype == .int32 && i4.shape == [3, 4] && i4.intScalars == Array(-5..<7))
        let i8 = try load("i8")
        #expect(i8.dtype == .int64 && i8.intScalars == (0..<6).map { $0 * 10_000_000_000 - 3 })
        #expect(try load("be_i8").intScalars == [-2, -1, 0, 1, 1 << 40])
        let b1 = try load("b1")
        #expect(b1.dtype == .float32 && b1.scalars == [1, 0, 1, 1, 0, 0])
        #expect(try load("u1").intScalars == [0, 1, 127, 128, 255])
        #expect(try load("i1").intScalars == [-128, -1, 0, 1, 127])
        #expect(try load("i2").intScalars == [-32768, -1, 0, 1, 32767])
        #expect(try load("u2").intScalars == [0, 1, 65535])
        let u4 = try load("u4")
        #expect(u4.dtype == .int64 && u4.intScalars == [0, 1, 4_294_967_295])
        #expect(try load("u8").intScalars == [0, 1, Int(Int64.max)])
        let message = invalidFileMessage { _ = try load("u8_too_large") }
        #expect(message?.contains("element 1") == true)
    }

    @Test func fortranOrderIsATransposedView() throws {
        for name in ["f4_fortran", "f4_transposed"] {
            let t = try load(name)
            #expect(!t.isContiguous)
            let expected = name == "f4_fortran" ? (0..<12).map(Float.init)
                : Tensor.arange(12).reshaped([3, 4]).T.scalars
            #expect(t.scalars == expected)
        }
    }

    @Test func readsEveryHeaderVersionAndEdgeShape() throws {
        for version in ["v2", "v3"] {
            #expect(try load(version).scalars == [0, 1, 2, 3, 4])
        }
        let scalar = try load("scalar")
        #expect(scalar.shape == [] && scalar.item() == 3.5)
        let int0d = try load("i4_scalar")
        #expect(int0d.shape == [] && int0d.dtype == .int32 && int0d.intScalars == [-7])
        let empty = try load("empty")
        #expect(empty.shape == [0, 3] && empty.count == 0)
    }

    @Test func rejectsUnsupportedDTypeNamingIt() {
        let message = invalidFileMessage { _ = try load("c8_unsupported") }
        #expect(message?.contains("'<c8'") == true)
        #expect(message?.contains("c8_unsupported.npy") == true)
    }

    /// The writer's bytes equal `np.save`'s for the same array (header padding and growth-axis spaces included).
    @Test func writerMatchesNumPyBytes() throws {
        let ramp = Tensor((0..<24).map { Float($0) * 0.5 - 3 }, shape: [2, 3, 4])
        let cases: [(String, Tensor)] = [
            ("f4_c", ramp),
            ("f4_transposed", Tensor.arange(12).reshaped([3, 4]).T),
            ("f2", Tensor((0..<10).map { Float($0) * 0.25 - 1 }, shape: [2, 5]).converted(to: .float16)),
            ("i4", Tensor(ints: Array(-5..<7), shape: [3, 4], dtype: .int32)),
            ("i8", Tensor(ints: (0..<6).map { $0 * 10_000_000_000 - 3 }, shape: [6])),
            ("scalar", Tensor(scalar: 3.5)),
            ("i4_scalar", Tensor(ints: [-7], shape: [], dtype: .int32)),
            ("empty", Tensor(zeros: [0, 3])),
        ]
        for (name, tensor) in cases {
            #expect(tensor.npyData() == (try IOFixtures.bytes("npy/\(name).npy")), "\(name)")
        }
    }

    @Test func roundTripsThroughFiles() throws {
        let folder = try ScratchFolder()
        let base = Tensor.randomNormal([4, 5, 6], seed: 3)
        let cases: [Tensor] = [
            base, base[1..., .stride(nil, nil, by: -2), 2], base.permuted([2, 0, 1]),
            base.converted(to: .float16), base.converted(to: .bfloat16),
            Tensor(ints: [Int(Int64.min), -1, 0, Int(Int64.max)], shape: [2, 2]),
            Tensor(ints: [Int(Int32.min), 0, Int(Int32.max)], shape: [3], dtype: .int32), Tensor(zeros: [2, 0, 3]),
        ]
        for (i, t) in cases.enumerated() {
            let path = folder.file("t\(i).npy")
            try t.writeNpy(to: path)
            let back = try Tensor(npyContentsOf: path)
            #expect(back.shape == t.shape)
            #expect(back.dtype == (t.dtype == .bfloat16 ? .float32 : t.dtype))
            #expect(back.scalars == t.scalars && back.intScalars == t.intScalars)
            #expect(try Tensor.readNpy(from: t.npyData()).scalars == t.scalars)
        }
        let missingFolder = invalidFileMessage { try base.writeNpy(to: folder.file("absent/x.npy")) }
        #expect(missingFolder?.contains("cannot create") == true && missingFolder?.contains("absent/x.npy") == true)
    }
}
