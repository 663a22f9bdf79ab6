// The panel's English strings. Keys are stable identifiers; `{name}` marks a value filled in at
// run time. zh-cn.ts must have every key (the compiler and test/unit/l10n-bundles.test.ts check).
export const en = {
  'tab.pipeline': 'Pipeline',
  'tab.generate': 'Generate',

  'pipeline.title': 'How GPT reads this',
  'pipeline.empty': 'Explain some text first, then pick a token here to follow it through the model.',
  'pipeline.pickToken': 'Token',
  'pipeline.layer': 'Layer',
  'pipeline.head': 'Head',
  'pipeline.temperature': 'Temperature',
  'pipeline.loading': 'Computing the walk-through…',
  'pipeline.outsideContext': 'Token {index} is outside the model’s context window ({first}..{last}): the model never read it. Pick a token in the window.',
  'pipeline.temperatureRange': 'Temperature must be between 0.1 and 2 here; 0 means greedy (always the most likely token), which the Generate tab offers.',

  'step1.title': '1. Text → tokens',
  'step1.body': 'The text is cut into tokens by byte-pair encoding (BPE): frequent byte sequences become one token, rare ones are split. A Chinese character takes three UTF-8 bytes and an emoji four, and GPT-2’s vocabulary was learned mostly from English, so such characters often take several tokens each.',
  'step1.numbers': 'This text is {tokens} tokens. The picked token is “{text}”, bytes {bytes}.',
  'step1.partial': 'This token holds only part of a character’s bytes.',

  'step2.title': '2. Tokens → ids',
  'step2.body': 'Each token is an entry in a fixed vocabulary and is represented by its index. In principle this is a one-hot vector with {vocab} entries, all zero but one; multiplying it by the embedding matrix just selects one row, so the model looks the row up directly instead.',
  'step2.numbers': 'id {id} of {vocab}',

  'step3.title': '3. Id → embedding vector',
  'step3.body': 'Row {id} of the embedding matrix (wte) is this token’s vector of {d} numbers, learned in training. Tokens used alike end up pointing in similar directions: the nearest ones by cosine similarity are listed with the angle between the vectors.',
  'step3.norm': 'length {norm}',
  'step3.neighbours': 'Nearest tokens (cosine, angle)',

  'step4.title': '4. + position embedding',
  'step4.body': 'Attention by itself does not know word order, so a learned vector for position {position} (a row of wpe) is added. The sum is the start of the residual stream, the vector every layer reads from and adds to.',
  'step4.position': 'position vector',
  'step4.sum': 'sum (residual stream)',

  'step5.title': '5. Layer {layer}: attention and MLP',
  'step5.body': 'After a layer norm, head {head} turns this token’s vector into a query q, a key k and a value v ({hs} numbers each). The score against each token is q·k/√{hs}. The causal mask hides every later token, so a GPT sees only the left (BERT sees both sides); a softmax turns the scores into weights that sum to 1, and the head outputs the weighted sum of the values.',
  'step5.scores': 'score q·k/√d',
  'step5.weights': 'weight (softmax)',
  'step5.masked': 'later tokens: masked',
  'step5.mlp': 'Then the MLP (a 2-layer network with GELU, {inner} units, {active} of them active here) adds its own vector. Attention added a vector of length {attn}, the MLP one of length {mlp}.',
  'step5.norms': 'The residual stream’s length after each layer: it grows as layers add to it.',
  'step5.embeddingNorm': 'embedding',

  'step6.title': '6. Final vector → logits → softmax',
  'step6.body': 'A last layer norm, then the vector is compared with every row of the embedding matrix (the unembedding): one score, a logit, per vocabulary entry. softmax(logits / T) turns them into probabilities; a low temperature T sharpens the distribution, a high one flattens it. A sample is drawn from it.',
  'step6.sample': 'A sample at this temperature (seed {seed}): “{text}”',
  'step6.top': 'Most likely next tokens',

  'generate.title': 'Continue the text',
  'generate.empty': 'Explain some text first; its tokens are the prompt that generation continues.',
  'generate.mode': 'Decoding',
  'generate.greedy': 'Greedy (temperature 0: always the most likely token)',
  'generate.sample': 'Sample',
  'generate.temperature': 'Temperature',
  'generate.topK': 'Top-k',
  'generate.topP': 'Top-p',
  'generate.seed': 'Seed',
  'generate.maxTokens': 'Length limit',
  'generate.step': 'Step',
  'generate.run': 'Run',
  'generate.stop': 'Stop',
  'generate.reset': 'Start over',
  'generate.insert': 'Insert into editor',
  'generate.topPNote': 'Top-p is applied within the 200 most likely tokens.',
  'generate.stoppedEos': 'Stopped: the model produced <|endoftext|>.',
  'generate.stoppedLimit': 'Stopped: reached the length limit of {limit} tokens.',
  'generate.slid': 'The text is longer than the context ({context} tokens): the model sees only the last {context}.',
  'generate.stepLabel': 'Step {n}',
  'generate.pickHint': 'Click another candidate to choose it and continue from there.',
  'generate.picked': 'picked by you',
  'generate.inserted': 'Inserted {count} characters into the editor.',
  'generate.error': 'Generation failed: {message}',
  'generate.invalid': 'Check the settings: {message}',
  'generate.greedyNote': 'Temperature 0: greedy decoding, always the most likely token (seed, top-k and top-p do not matter).',

  'strip.negative': 'negative',
  'strip.positive': 'positive (stronger colour = larger magnitude)',
} as const;

export type MessageKey = keyof typeof en;
export type Bundle = Record<MessageKey, string>;
