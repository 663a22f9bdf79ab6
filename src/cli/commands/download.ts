// llm-lens download ID [--revision R]: a model from the Hugging Face hub into the Hugging Face
// cache (HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub), where Python's huggingface_hub
// finds it too; prints where it is. Only what LLM Lens reads is fetched (config, safetensors,
// tokenizer files, generation_config.json), never pickled weights.
import type { ParsedArgs } from '../args';
import { UsageError } from '../errors';
import { DEFAULT_REVISION, hubIdProblem, revisionProblem } from '../../hub/hub-id';
import { hubModel } from '../hub-model';

export const DOWNLOAD_OPTIONS = [{ name: 'revision', kind: 'string' }] as const;

export interface DownloadCommandResult {
  id: string;
  revision: string;
  commit: string;
  /** The snapshot folder: give it to --model, or the id itself. */
  folder: string;
  files: string[];
  /** Bytes fetched now (0 when the cache had everything). */
  downloadedBytes: number;
}

export async function runDownload(args: ParsedArgs, id: string | undefined): Promise<DownloadCommandResult> {
  if (id === undefined) throw new UsageError('give the model id to download, e.g. llm-lens download openai-community/gpt2', 'download');
  const revision = args.values.get('revision') ?? DEFAULT_REVISION;
  const problem = hubIdProblem(id) ?? revisionProblem(revision);
  if (problem) throw new UsageError(problem, 'download');
  const result = await hubModel({ id, revision });
  return { id, revision, commit: result.commit, folder: result.folder, files: result.files, downloadedBytes: result.transferredBytes };
}
