"""Progress bars for long-running commands: count, rate and time left on stderr."""

import sys

from tqdm import tqdm


def progress(total: int, *, description: str, unit: str = "it", enabled: bool = True) -> tqdm:
    return tqdm(
        total=total,
        desc=description,
        unit=unit,
        unit_scale=True,
        disable=not enabled,
        file=sys.stderr,
        dynamic_ncols=True,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]",
    )
