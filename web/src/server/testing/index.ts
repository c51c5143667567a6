// Test doubles for other packages' tests (the CLI runs against the real router through these).
export { InMemoryStepwiseService, type FakeServiceOptions } from './fake-service';
export { handleTrpcRequest } from '../handler';
export { unusedPort } from './ports';
