// Help texts: the whole usage for --help, one line per command for error messages.

export const COMMANDS = ['tokens', 'analyze', 'neighbours', 'download'] as const;
export type CommandName = (typeof COMMANDS)[number];

export function isCommandName(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}

export const SYNOPSIS: Readonly<Record<CommandName, string>> = {
  tokens: 'llm-lens tokens (--text T | --file F | < stdin) [--model DIR|ID | --encoding r50k_base|cl100k_base|o200k_base]',
  analyze: 'llm-lens analyze (--text T | --file F | < stdin) [--model DIR|ID] [--top-k K] [--attention] [--hidden]',
  neighbours: 'llm-lens neighbours (--token TEXT | --id N) [--k K] [--model DIR|ID]',
  download: 'llm-lens download ID [--revision R]',
};

export const USAGE = `llm-lens: look inside a language model from the command line. Prints JSON on stdout.

Usage:
  ${SYNOPSIS.tokens}
      How the text splits into tokens: id, text, UTF-16 offsets [start, end), UTF-8 bytes.
      --model DIR  the model's own tokenizer (config.json + tokenizer.json; no weights read):
                   the ids exactly as that model reads them, BOS included where the model's
                   tokenizer adds it; a token the tokenizer adds has "special": true and an
                   empty span
      --encoding   r50k_base (GPT-2, default), cl100k_base (GPT-3.5/4), o200k_base (GPT-4o)

  ${SYNOPSIS.analyze}
      Runs the model: at each position the top-K next tokens, the score of the token that
      came next, and the entropy, all in nats (natural-log probabilities). The text is read
      with the model's tokenizer (BOS included), as in tokens --model.
      --top-k K    next tokens per position (default 5)
      --attention  add attention probabilities [layer][head][query][key]
      --hidden     add the residual stream [layer 0..L][position][dimension]

  ${SYNOPSIS.neighbours}
      The K tokens nearest to one token in the model's input embedding (cosine
      similarity), the token itself first. --token must be exactly one token of the
      model's tokenizer (a BOS it adds does not count); --id names a token by id.
      --k K  neighbours to list (default 10)

  ${SYNOPSIS.download}
      Downloads a model from the Hugging Face hub into the Hugging Face cache (HF_HUB_CACHE,
      else HF_HOME/hub, else ~/.cache/huggingface/hub), laid out as Python's huggingface_hub
      lays it out, so either finds what the other downloaded. Only config.json, the
      safetensors weights, the tokenizer files and generation_config.json are fetched; pickled
      weights (.bin, .pt) never. A cut download resumes; every file's hash is checked. Prints
      the snapshot folder, its commit and files, and the bytes downloaded.
      --revision R  a branch, tag or commit (default main)

--model DIR: a checkpoint folder as the Hugging Face hub serves it: config.json (model_type
gpt2, llama, mistral, qwen2 or qwen3), model.safetensors or its shards with
model.safetensors.index.json, and tokenizer.json with tokenizer_config.json (a GPT-2 folder
without tokenizer.json reads text with r50k_base). Default: the bundled tiny-gpt2-software.
Example: llm-lens tokens --model DIR/Qwen3-0.6B --text '你好，世界' (3 tokens; r50k_base: 11).
--model ID: a model on the Hugging Face hub (org/name, or org/name@revision), e.g.
Qwen/Qwen3-0.6B: taken from the Hugging Face cache, downloaded first when it is not there.
A model that would not fit in memory is refused with the numbers before it is loaded.
Hub environment: HF_ENDPOINT (another hub or mirror), HF_TOKEN or the token file of
\`hf auth login\` (gated and private models), HF_HUB_OFFLINE=1 (the cache only, no network).

Text input: --text, --file (UTF-8, a regular file), or stdin when neither is given and stdin
is piped; at most 2,000,000 characters. Text holding a run of one kind of character (letters,
digits, symbols or whitespace) longer than about 22,000 bytes is refused: byte-pair encoding
takes quadratic time on it. --model's files: config.json up to 1 MiB, the weights up to
2 GiB, tokenizer.json up to 64 MiB, regular files (symbolic links to them are followed).
Options: --pretty indents the JSON; --debug shows library logs and stack traces on stderr;
--help prints this text.
Exit codes: 0 success, 1 the input or model could not be processed, 2 bad command line.
`;
