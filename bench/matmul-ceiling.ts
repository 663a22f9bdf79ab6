// The runtime's ceiling: one MatMul [m x k] x [k x n] with a constant (prepacked) right-hand
// side, the same shape as the head's unembedding, as its own tiny ONNX graph.
import { GraphBuilder } from '../src/engine/onnx-graph';

export function matmulGraph(k: number, n: number): Uint8Array {
  const g = new GraphBuilder('matmul-ceiling');
  const x = g.input('x', 'float32', ['M', k]);
  const weights = new Float32Array(k * n);
  for (let i = 0; i < weights.length; i++) weights[i] = Math.sin(i * 12.9898) * 0.1; // any finite values
  const w = g.initializer('w', 'float32', [k, n], weights);
  const product = g.op('MatMul', [x, w]);
  // Only one column leaves the graph: copying [m x n] out to JavaScript is not the MatMul's cost.
  const column = g.op('Slice', [product, g.int64s('start', [0]), g.int64s('end', [1]), g.int64s('axis', [1])]);
  g.output(column, 'y', 'float32', ['M', 1]);
  return g.toBytes();
}
