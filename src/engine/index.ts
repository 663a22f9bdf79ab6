// The engine's public surface: import from here rather than from the individual modules.
export * from './types';
export { LensEngine, type EngineOptions, type EnginePath, type DistributionOptions, type OrtLike, type OrtSessionLike, type OrtTensorLike } from './engine';
export { Checkpoint, loadCheckpoint, parseGpt2Config, planCheckpoint, type CheckpointSource, type CheckpointPlan, type ShardBytes } from './checkpoint';
export { parseModelConfig, SUPPORTED_MODEL_TYPES } from './families';
export { parseShardIndex, SHARD_INDEX_FILE, WeightHeaders, type ShardIndex } from './weight-files';
export { parseSafetensors, SUPPORTED_DTYPES, type SafetensorsFile, type SafetensorsDtype } from './safetensors';
export { chooseBackend, probeWebGpu, type WebGpuProbe, type BackendEnvironment } from './backend';
