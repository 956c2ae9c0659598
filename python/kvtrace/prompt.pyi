from os import PathLike
from typing import Any, Dict, Iterator, Literal, Optional, Union

Path = Union[str, PathLike]

def materialize(path: Path, output: Optional[Path] = ..., *, as_dict: bool = ...,
                tokenizer: Optional[Path] = ..., corpus: Optional[Path] = ..., seed: int = ...,
                scope: Optional[str] = ..., model: str = ...,
                api: Optional[Literal["chat", "completions"]] = ...,
                prompt_format: Literal["text", "tokens"] = ..., shard: str = ...,
                verify: bool = ..., cache_dir: Optional[Path] = ..., no_cache: bool = ...,
                threads: int = ..., block_size: Union[None, int, str] = ...,
                format_in: str = ..., skip_invalid: bool = ..., start_ms: Optional[float] = ...,
                end_ms: Optional[float] = ...
                ) -> Union[int, Iterator[str], Iterator[Dict[str, Any]]]: ...
