// Token ids from the JS peer, transformers.js's tokenizers (@lenml/tokenizers), for kvtrace's
// tokenizer parity tests.
//
//   node js_reference.mjs NPM_DIR TOKENIZER_JSON TEXTS
//
// NPM_DIR holds node_modules/@lenml/tokenizers (scripts/setup installs it in build/npm).
// TEXTS has one text per line, hex-encoded UTF-8 (so any text survives the trip). Prints one
// line per text: the ids (space-separated), TAB, the hex of decode(ids), TAB, the hex of
// decode(ids, skip_special_tokens).
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const [npmDir, tokenizerPath, textsPath] = process.argv.slice(2);
const require = createRequire(join(npmDir, "package.json"));
const { TokenizerLoader } = require("@lenml/tokenizers");

const configPath = join(dirname(tokenizerPath), "tokenizer_config.json");
const tokenizer = TokenizerLoader.fromPreTrained({
  tokenizerJSON: JSON.parse(readFileSync(tokenizerPath, "utf8")),
  tokenizerConfig: existsSync(configPath) ? JSON.parse(readFileSync(configPath, "utf8")) : {},
});

const hex = (s) => Buffer.from(s, "utf8").toString("hex");
const lines = readFileSync(textsPath, "utf8").split("\n").filter((l) => l.length > 0);
const out = [];
for (const line of lines) {
  const text = Buffer.from(line === "-" ? "" : line, "hex").toString("utf8");
  const ids = tokenizer.encode(text, { add_special_tokens: false });
  // decode() rejects an empty list.
  const decoded = ids.length ? tokenizer.decode(ids) : "";
  const skipped = ids.length ? tokenizer.decode(ids, { skip_special_tokens: true }) : "";
  out.push(`${ids.join(" ")}\t${hex(decoded)}\t${hex(skipped)}`);
}
process.stdout.write(out.join("\n") + "\n");
