"""materialize: `kvtrace materialize` (docs/materialize.md), streaming request bodies or
writing them to a file."""
import json
import shutil
from pathlib import Path

from kvtrace import _kvtrace


def _installed(relative, name):
    """A file scripts/setup installs beside the kvtrace binary (build/): found beside this
    package's build tree, or beside the `kvtrace` on PATH."""
    places = [Path(_kvtrace.__file__).resolve().parents[2]]
    binary = shutil.which("kvtrace")
    if binary:
        places.append(Path(binary).resolve().parent)
    for place in places:
        if (place / relative).exists():
            return str(place / relative)
    raise _kvtrace.UsageError(f"give {name}: its default, {relative} beside the kvtrace "
                              "binary, is not installed (scripts/setup installs it)")


def _lines(stream, as_dict):
    while True:
        batch = stream.next()
        if batch is None:
            return
        for line in batch.splitlines():
            yield json.loads(line) if as_dict else line


def materialize(path, output=None, *, as_dict=False, tokenizer=None, corpus=None, seed=42,
                scope=None, model="", api=None, prompt_format="text", shard="0/1",
                verify=False, cache_dir=None, no_cache=False, threads=0, block_size=None,
                format_in="auto", skip_invalid=False, start_ms=None, end_ms=None):
    """The request bodies of a trace with real prompts, as `kvtrace materialize` builds them
    (byte for byte).

    output: a file to write the bodies to (JSONL; "-" is stdout): the call returns the
        number of lines written once done. None: returns an iterator of the bodies, each
        one JSON line (str) or, with as_dict, its parsed dict; they are built on kvtrace's
        threads while you iterate, and stopping early stops the build.
    tokenizer, corpus: paths; None: the Qwen3 tokenizer and the corpus scripts/setup
        installs beside the kvtrace binary.
    seed, scope, model, shard ("i/N"), verify, threads (0: one per core): the CLI's flags.
        scope None: the first 16 hex digits of the trace file's SHA-256.
    api: "chat" or "completions"; None: chat, completions for prompt_format "tokens".
    prompt_format: "text" or "tokens".
    cache_dir: where tokenized corpora are cached (None: the CLI's default); no_cache:
        neither read nor write it.
    The reading options are read_trace's; hash id counts are not checked (the block
    layout check covers them). The summary the CLI prints goes to stderr.
    """
    args = _kvtrace.MaterializeArgs(
        tokenizer=str(tokenizer) if tokenizer is not None else
        _installed(_kvtrace.INSTALLED_TOKENIZER, "tokenizer"),
        corpus=str(corpus) if corpus is not None else
        _installed(_kvtrace.INSTALLED_CORPUS, "corpus"),
        seed=seed, scope=scope, model=model, api=api or "", prompt_format=prompt_format,
        shard=shard, verify=verify,
        cache_dir="" if no_cache else str(cache_dir or _kvtrace.default_cache_dir()),
        threads=threads, block_size=block_size, format_in=format_in,
        skip_invalid=skip_invalid, start_ms=start_ms, end_ms=end_ms)
    if output is not None:
        return _kvtrace.materialize_file(str(path), str(output), args)
    return _lines(_kvtrace.materialize_stream(str(path), args), as_dict)
