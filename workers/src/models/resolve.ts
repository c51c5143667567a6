import { ensureLearnedModel, isLearnedModel } from './learned';
import { openModelFile, openTestbed, type OpenedModel, type OpenOptions } from './open';
import { TESTBED_NAMES } from './testbeds';

/**
 * A model by the name a config gives it: a built-in testbed (built as an ONNX graph on first
 * use), a learned model the project ships (trained or fetched on first use), or a file under the
 * model directory. The one place names are resolved; every activity and `stepwise sample --local`
 * goes through it with the device it was given (never read from the environment here).
 */
export async function openModelByName(name: string, options: OpenOptions & { modelDir: string }): Promise<OpenedModel> {
  if ((TESTBED_NAMES as readonly string[]).includes(name)) return openTestbed(name, options);
  return openModelFile(isLearnedModel(name) ? await ensureLearnedModel(name, options.modelDir) : name, options);
}
