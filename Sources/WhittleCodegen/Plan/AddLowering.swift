import WhittleIR

/// The `add_s8` call of an `Add` node: its two inputs, and the zero points and multipliers of
/// the three tensors in the kernel's parameter struct. No tables.
enum AddLowering {
    static func lower(_ add: Add, inputs: [QTensor], output: QTensor, buffers: (inputs: [String], output: String)) -> KernelCall {
        KernelCall(kernel: KernelRegistry.add.name, inputs: buffers.inputs, output: buffers.output, fields: [
            ParameterField("count", output.byteCount),
            ParameterField("in1_zero", Int(inputs[0].quant.zeroPoint)),
            ParameterField("in2_zero", Int(inputs[1].quant.zeroPoint)),
            ParameterField("out_zero", Int(output.quant.zeroPoint)),
            ParameterField("in1_m0", Int(add.input1.multiplier)),
            ParameterField("in2_m0", Int(add.input2.multiplier)),
            ParameterField("out_m0", Int(add.output.multiplier)),
            ParameterField("in1_shift", Int(add.input1.shift)),
            ParameterField("in2_shift", Int(add.input2.shift)),
            ParameterField("out_shift", Int(add.output.shift)),
            ParameterField("act_min", Int(add.clamp.min)),
            ParameterField("act_max", Int(add.clamp.max)),
        ])
    }
}
