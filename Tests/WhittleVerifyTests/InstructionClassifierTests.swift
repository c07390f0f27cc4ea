import Foundation
import WhittleCodegen
import WhittleVerify
import XCTest

/// The counting plugin's classifier (targets/qemu/insncount.c, `classify_code`) on hand-assembled
/// instruction words, built into a host program with the host's cc: every Thumb/Thumb-2 and
/// RV32IMAC encoding `verify --profile` weighs differently lands in its class, with its register
/// count, and a load pipelines only with an independent load or store right after it. The words
/// are as `objdump -d` prints them (Thumb: halfwords in order; RISC-V: one 16- or 32-bit word).
final class InstructionClassifierTests: XCTestCase {
    private struct Run {
        var isa: String
        var words: [String]
        /// One entry per instruction: the class ("branch" before taken or not is known), with
        /// "/N" for the registers of a class that moves a list.
        var expected: [String]
        var what: String
    }

    private let thumb: [Run] = [
        Run(isa: "thumb", words: ["1c48", "4348", "46f7", "4770"], expected: ["alu", "multiply", "branch", "branch"],
            what: "adds; muls; mov pc, lr; bx lr"),
        Run(isa: "thumb", words: ["6851", "6823"], expected: ["load_pipelined", "load"],
            what: "ldr r1, [r2, #4] pipelines with an independent ldr r3, [r4]; the last load of a block does not"),
        Run(isa: "thumb", words: ["6811", "680b"], expected: ["load", "load"], what: "ldr r1, [r2]; ldr r3, [r1]: the address needs r1"),
        Run(isa: "thumb", words: ["5cd1", "600c"], expected: ["load", "store"], what: "ldrb r1, [r2, r3]; str r4, [r1]: the address needs r1"),
        Run(isa: "thumb", words: ["f992 1001", "f883 0002", "9001"], expected: ["load_pipelined", "store", "store"],
            what: "ldrsb.w r1, [r2, #1]; strb.w r0, [r3, #2]; str r0, [sp, #4]"),
        Run(isa: "thumb", words: ["f851 0022", "f841 0d04", "4802"], expected: ["load_pipelined", "store", "load"],
            what: "ldr.w r0, [r1, r2, lsl #2]; str.w r0, [r1, #-4]!; ldr r0, [pc, #8]"),
        Run(isa: "thumb", words: ["b5f0", "bd30", "bc30", "c80e", "c006"],
            expected: ["store_multiple/5", "load_pc/3", "load_multiple/2", "load_multiple/3", "store_multiple/2"],
            what: "push {r4-r7, lr}; pop {r4, r5, pc}; pop {r4, r5}; ldmia r0!, {r1-r3}; stmia r0!, {r1, r2}"),
        Run(isa: "thumb", words: ["e92d 4ff0", "e8bd 8ff0", "e9d2 0100", "e9c2 0102"],
            expected: ["store_multiple/9", "load_pc/9", "load_multiple/2", "store_multiple/2"],
            what: "push.w {r4-r11, lr}; pop.w {r4-r11, pc}; ldrd r0, r1, [r2]; strd r0, r1, [r2, #8]"),
        Run(isa: "thumb", words: ["f85d fb04", "e8df f000", "e851 0f00"], expected: ["load_pc/1", "load_pc/1", "load"],
            what: "ldr.w pc, [sp], #4; tbb [pc, r0]; ldrex r0, [r1]"),
        Run(isa: "thumb", words: ["fb01 f002", "fb01 3002", "fb01 3012"], expected: ["multiply", "multiply_accumulate", "multiply_accumulate"],
            what: "mul.w; mla; mls"),
        Run(isa: "thumb", words: ["fb82 0103", "fba2 0103", "fbc2 0103", "fbe2 0103"],
            expected: ["multiply_long", "multiply_long", "multiply_accumulate_long", "multiply_accumulate_long"],
            what: "smull; umull; smlal; umlal"),
        Run(isa: "thumb", words: ["fb21 3002", "fb21 f002", "fb11 3002", "fb51 f012", "fbc2 01c3"],
            expected: ["dsp_multiply", "dsp_multiply", "dsp_multiply", "dsp_multiply", "dsp_multiply"],
            what: "smlad; smuad; smlabb; smmulr; smlald"),
        Run(isa: "thumb", words: ["fb91 f0f2", "fbb1 f0f2"], expected: ["divide", "divide"], what: "sdiv; udiv"),
        Run(isa: "thumb", words: ["fa2f f081", "f301 0007", "bf08", "eb01 0082", "f240 40d2", "f3c1 0082"],
            expected: ["alu", "alu", "alu", "alu", "alu", "alu"], what: "sxtb16; ssat; it eq; add.w with shift; movw; ubfx"),
        Run(isa: "thumb", words: ["bf00", "beab", "df00", "f3bf 8f5f", "f3ef 8010", "de00"],
            expected: ["other", "other", "other", "other", "other", "other"], what: "nop; bkpt; svc; dmb; mrs; udf"),
        Run(isa: "thumb", words: ["d0b8", "f7ff bfb7", "f7ff ffb5", "b108", "f47f afb2"],
            expected: ["branch", "branch", "branch", "branch", "branch"], what: "beq.n; b.w; bl; cbz; bne.w"),
    ]

    private let riscv: [Run] = [
        Run(isa: "rv32", words: ["00c58533", "06458513", "12345537", "852e", "952e", "4515", "0505"],
            expected: ["alu", "alu", "alu", "alu", "alu", "alu", "alu"], what: "add; addi; lui; c.mv; c.add; c.li; c.addi"),
        Run(isa: "rv32", words: ["00432283", "00068603"], expected: ["load_pipelined", "load"],
            what: "lw t0, 4(t1) pipelines with an independent lb a2, 0(a3)"),
        Run(isa: "rv32", words: ["4188", "4110"], expected: ["load", "load"], what: "c.lw a0, 0(a1); c.lw a2, 0(a0): the address needs a0"),
        Run(isa: "rv32", words: ["00058503", "00c68023", "41c8", "4622"], expected: ["load_pipelined", "store", "load_pipelined", "load"],
            what: "lb; sb; c.lw a0, 4(a1); c.lwsp a2, 8(sp)"),
        Run(isa: "rv32", words: ["c1c8", "c432", "fea12e23"], expected: ["store", "store", "store"], what: "c.sw; c.swsp; sw"),
        Run(isa: "rv32", words: ["02c58533", "02c59533", "02c5b533", "02c5c533", "02c5f533"],
            expected: ["multiply", "multiply_long", "multiply_long", "divide", "divide"], what: "mul; mulh; mulhu; div; remu"),
        Run(isa: "rv32", words: ["fcb503e3", "fc3ff0ef", "00008067", "bf6d", "dd45", "8082", "9782"],
            expected: ["branch", "branch", "branch", "branch", "branch", "branch", "branch"],
            what: "beq; jal; jalr (ret); c.j; c.beqz; c.jr; c.jalr"),
        Run(isa: "rv32", words: ["00000073", "00100073", "9002", "b0002573", "0ff0000f"],
            expected: ["other", "other", "other", "other", "other"], what: "ecall; ebreak; c.ebreak; csrr a0, mcycle; fence"),
    ]

    /// Little-endian bytes of objdump's words: Thumb halfwords in order, RISC-V one word each.
    private func bytes(_ run: Run) -> [UInt8] {
        run.words.flatMap { word -> [UInt8] in
            word.split(separator: " ").flatMap { token -> [UInt8] in
                let value = UInt32(token, radix: 16)!
                return (0..<(token.count / 2)).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
            }
        }
    }

    func testClassifierOnHandAssembledWords() throws {
        let runs = thumb + riscv
        var source = """
        #define INSNCOUNT_CLASSIFIER_ONLY
        #include "insncount.c"

        static void show(enum isa isa, const uint8_t *code, size_t length)
        {
            struct decoded out[16];
            size_t n = classify_code(isa, code, length, out, 16);
            for (size_t i = 0; i < n; i++) {
                int c = out[i].cls;
                printf(i ? " %s" : "%s", c == CLASS_BRANCH ? "branch" : class_names[c]);
                if (c != CLASS_BRANCH && has_registers(c))
                    printf("/%d", out[i].registers);
            }
            printf("\\n");
        }

        int main(void)
        {
            for (int c = 0; c < N_CLASSES; c++)
                printf(c ? " %s" : "%s", class_names[c]);
            printf("\\n");

        """
        for (i, run) in runs.enumerated() {
            let code = bytes(run).map { String(format: "0x%02x", $0) }.joined(separator: ", ")
            source += "    { static const uint8_t code\(i)[] = {\(code)}; show(\(run.isa == "thumb" ? "ISA_THUMB" : "ISA_RV32"), code\(i), sizeof code\(i)); }\n"
        }
        source += "    return 0;\n}\n"

        let scratch = try makeScratchFolder("classifier")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("classify.c"), program = scratch.appendingPathComponent("classify")
        try Data(source.utf8).write(to: file)
        let build = try ProcessRunner.run(["cc", "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-O1",
                                           "-I", repositoryRoot.appendingPathComponent("targets/qemu").path, "-o", program.path, file.path])
        XCTAssertEqual(build.status, 0, build.standardError)
        let run = try ProcessRunner.run([program.path])
        XCTAssertEqual(run.status, 0, run.standardError)
        let lines = run.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.first, InstructionClass.allCases.map(\.rawValue).joined(separator: " "),
                       "the plugin's class_names and InstructionClass must list the same classes in the same order")
        for (i, run) in runs.enumerated() {
            XCTAssertEqual(lines.count > i + 1 ? lines[i + 1] : "", run.expected.joined(separator: " "), "\(run.isa): \(run.what)")
        }
    }

    /// The plugin builds warning-free as `verify` builds it, with the host cc (the QEMU 7.2 plugin
    /// API declared in the file itself).
    func testPluginBuildsWarningFree() throws {
        let scratch = try makeScratchFolder("plugin")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let build = try ProcessRunner.run(["cc", "-std=c99", "-Wall", "-Wextra", "-Wpedantic", "-Werror", "-shared", "-fPIC", "-O2",
                                           "-o", scratch.appendingPathComponent("libinsncount.so").path,
                                           repositoryRoot.appendingPathComponent("targets/qemu/insncount.c").path])
        XCTAssertEqual(build.status, 0, build.standardError)
    }
}
