// Writes a random model folder shaped like a real model, for the benchmark and for trying the
// extension on a model of real size without a download.
// Usage: node --import tsx bench/write-random-model.ts DIR [gpt2-small|qwen2.5-0.5b]
import { QWEN25_05B, writeGpt2SmallDir, writeRandomDir } from './random-checkpoint';

const [dir, shape = 'gpt2-small'] = process.argv.slice(2);
if (!dir || !['gpt2-small', 'qwen2.5-0.5b'].includes(shape)) {
  console.error('usage: write-random-model.ts DIR [gpt2-small|qwen2.5-0.5b]');
  process.exit(2);
}
if (shape === 'gpt2-small') writeGpt2SmallDir(dir);
else writeRandomDir(dir, QWEN25_05B);
