/** ONNX models: the analytic GMM graph, built-in testbeds, registration, runtime and references. */
export { buildGmmOnnx, gmmChecksum, formatShape, sha256Hex, GMM_MODEL_KIND, type GmmOnnxOptions, type BuiltOnnxModel } from './gmm-onnx';
export { GraphBuilder, onnx, TensorDataType, IR_VERSION, DEFAULT_OPSET } from './onnx-graph';
export {
  TESTBED_NAMES, getTestbed, isTestbedName, ensureTestbedModel, ensureTestbedModels,
  type TestbedName, type Testbed, type WrittenModel,
} from './testbeds';
export {
  ModelContractError, MODEL_SCHEDULES, MODEL_OUTPUT_PREDICTIONS, METADATA_KEYS,
  modelDirFromEnv, inspectModelBytes, resolveModelPath, registerModelFile, parseShape,
  type ModelContract, type RegisteredModel, type ModelOutputPrediction,
} from './registry';
export {
  parseDevice, ortThreadsFromEnv, getSession, releaseSessions, chunkRanges, runModel, createOnnxDenoiser,
  type ParsedDevice, type ModelSource, type SessionOptions, type LoadedSession, type RunOptions, type OnnxDenoiserOptions, type ResolvedProvider,
} from './runtime';
export {
  ReferenceCache, computeReference, initialNoiseBatch, DEFAULT_REFERENCE_SOLVER,
  type ReferenceModel, type ReferenceRequest, type ReferenceSolver, type ReferenceCacheOptions,
} from './reference';
export { openRegisteredModel, openModelFile, openTestbed, type OpenedModel, type OpenOptions } from './open';
