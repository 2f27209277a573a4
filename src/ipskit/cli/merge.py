"""``ipskit merge-file BASE OURS THEIRS PATH``: git's merge of a cohort's record file.

Not typed by trainers, so not in ``--help``: git runs it, as the repository's settings
say (``merge.ipskit.driver``), for each record file changed on both sides of a merge.
It writes the merged file over OURS and exits 0, even where a clash is kept for a person
to settle (one line on stderr each); it exits 1, changing nothing, for a file it does not
know or cannot read, and git then marks that file as not merged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def merge_file(
    base: Annotated[
        Path, typer.Argument(metavar="BASE", help="The copy both sides started from (git's %O).")
    ],
    ours: Annotated[
        Path, typer.Argument(metavar="OURS", help="This computer's copy, replaced (git's %A).")
    ],
    theirs: Annotated[
        Path, typer.Argument(metavar="THEIRS", help="The other computer's copy (git's %B).")
    ],
    path: Annotated[
        str, typer.Argument(metavar="PATH", help="The file's path in the workspace (git's %P).")
    ],
) -> None:
    """Merge a cohort's record file that two computers changed (run by git)."""
    from ipskit.cohorts.merging import MergeError, merge, mergeable
    from ipskit.core import csvio, store
    from ipskit.core.errors import FileProblemsError, IpskitError

    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    if not mergeable(name):
        raise IpskitError(f"{path}: not one of a cohort's record files, so git leaves it"
                          " unmerged: put the two copies together by hand")  # fmt: skip
    texts = []
    for copy in (base, ours, theirs):
        try:
            texts.append(csvio.read_text(copy))
        except FileProblemsError as error:
            # Named by the temporary copy git made: say which file it is instead.
            where = str(error).removeprefix(str(copy))
            raise IpskitError(f"{path}{where} (one of the copies git merges)") from None
    try:
        merged = merge(name, *texts)
    except MergeError as error:
        raise IpskitError(f"{path}: {error}: git leaves it unmerged, to put right"
                          " by hand") from None  # fmt: skip
    if merged.text.encode("utf-8") != ours.read_bytes():
        store.write_atomic(ours, merged.text, durable=False)  # git reads it back at once
    for clash in merged.clashes:
        typer.echo(f"{path}: {clash}", err=True)
