// The layer and head counts of the model the panel runs: the host checks the layer and head
// indices of attention messages against them.
import type { ModelLocation } from '../model-location';
import type { AttentionShape } from '../protocol';

/** The model's shape, or a sentence saying why there is none. */
export function modelShape(model: ModelLocation | undefined): AttentionShape | string {
  return model ? { layers: model.config.nLayer, heads: model.config.nHead } : 'no LLM Lens panel is open';
}
