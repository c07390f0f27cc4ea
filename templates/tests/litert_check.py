"""Runs a model `whittle export` wrote under LiteRT's reference kernels and compares the outputs
with Whittle's, byte for byte (developer tool, not run by the tests).

INPUTS.bin and EXPECTED.bin are an emitted folder's vectors/inputs.bin and vectors/expected.bin:
int8 inputs (NHWC) and the reference interpreter's int8 outputs for them, which `whittle verify`
requires the C to equal. Prints the differing bytes and vectors; exits 1 when any byte differs.

    python3 -m venv ~/litert-venv && ~/litert-venv/bin/pip install ai-edge-litert numpy
    whittle quantize examples/lenet.json whittle-out/lenet.safetensors -o whittle-out/lenet.q --float32-scales
    whittle export whittle-out/lenet.q -o whittle-out/lenet.tflite
    whittle emit whittle-out/lenet.q -o whittle-out/c --vectors 10000
    ~/litert-venv/bin/python templates/tests/litert_check.py whittle-out/lenet.tflite \
        whittle-out/c/vectors/inputs.bin whittle-out/c/vectors/expected.bin
"""
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType


def main(model, inputs_path, expected_path):
    interpreter = Interpreter(model_path=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    source, sink = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    inputs = np.fromfile(inputs_path, dtype=np.int8).reshape((-1,) + tuple(source["shape"][1:]))
    expected = np.fromfile(expected_path, dtype=np.int8).reshape((len(inputs), -1))
    outputs = np.empty_like(expected)
    for i, x in enumerate(inputs):
        interpreter.set_tensor(source["index"], x[np.newaxis])
        interpreter.invoke()
        outputs[i] = interpreter.get_tensor(sink["index"]).reshape(-1)
    differing = outputs != expected
    print(f"{model}: {len(inputs)} vectors, {differing.sum()} of {expected.size} output bytes differ "
          f"({differing.any(axis=1).sum()} vectors) from Whittle's")
    return 1 if differing.any() else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
