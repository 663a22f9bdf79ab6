// The engine's public surface: import from here rather than from the individual modules.
export * from './types';
export { LensEngine, type EngineOptions, type EnginePath, type DistributionOptions, type OrtLike, type OrtSessionLike, type OrtTensorLike } from './engine';
export { Checkpoint, loadCheckpoint, parseGpt2Config, type CheckpointSource, type Gpt2Architecture } from './checkpoint';
export { parseSafetensors, SUPPORTED_DTYPES, type SafetensorsFile, type SafetensorsDtype } from './safetensors';
export { chooseBackend, probeWebGpu, type WebGpuProbe, type BackendEnvironment } from './backend';
