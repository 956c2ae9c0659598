// The JS peer's side of bench/tokenizer_bench.py: transformers.js's tokenizers
// (@lenml/tokenizers) encoding and decoding the same text as build/bench/tokenizer_bench.
//
//   node tokenizer_bench_js.mjs NPM_DIR TOKENIZER_JSON TEXT [RUNS]
//
// Same protocol: one call per pass, one warm-up pass, median MB/s of RUNS passes, as JSON.
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const [npmDir, tokenizerPath, textPath, runsArg] = process.argv.slice(2);
const runs = Math.max(1, Number(runsArg ?? 5));
const require = createRequire(join(npmDir, "package.json"));
const { TokenizerLoader } = require("@lenml/tokenizers");
const configPath = join(dirname(tokenizerPath), "tokenizer_config.json");
const tokenizer = TokenizerLoader.fromPreTrained({
  tokenizerJSON: JSON.parse(readFileSync(tokenizerPath, "utf8")),
  tokenizerConfig: existsSync(configPath) ? JSON.parse(readFileSync(configPath, "utf8")) : {},
});

const text = readFileSync(textPath, "utf8");
const mb = Buffer.byteLength(text, "utf8") / 1e6;
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const encodeRates = [];
const decodeRates = [];
let ids = [];
for (let run = 0; run <= runs; ++run) {
  let start = performance.now();
  ids = tokenizer.encode(text, { add_special_tokens: false });
  const encodeS = (performance.now() - start) / 1e3;
  start = performance.now();
  const back = tokenizer.decode(ids);
  const decodeS = (performance.now() - start) / 1e3;
  if (back !== text) throw new Error("decode(encode(text)) differs from the text");
  if (run === 0) continue;
  encodeRates.push(mb / encodeS);
  decodeRates.push(mb / decodeS);
}
console.log(
  JSON.stringify({
    encode_mb_s: median(encodeRates),
    decode_mb_s: median(decodeRates),
    tokens: ids.length,
    bytes: Buffer.byteLength(text, "utf8"),
    threads: 1,
  })
);
