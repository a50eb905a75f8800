"""The catalogue of published bundles, read from their manifests, and confined file lookup.

The runs folder is the only store: the catalogue is rebuilt from the manifests whenever the
folder changes (a new bundle appears by one atomic rename, which changes the folder's mtime), so
the service needs no database and only read access to the bundles. Hidden entries (a run still
being written is ``.partial-…``) and folders without a valid manifest are skipped; the reason
for a skipped folder is kept for the operator.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from hotspots.bundle import SAFE_NAME, Bundle, BundleFile, Product, read_bundle
from hotspots.errors import InputError

__all__ = ["Catalogue", "IntegrityError", "Located"]


@dataclass(frozen=True)
class Located:
    """A file the manifest lists, found inside the runs folder and matching its SHA-256."""

    bundle: Bundle
    product: Product
    file: BundleFile
    path: Path


class IntegrityError(Exception):
    """A listed file differs from the SHA-256 its manifest records."""


class Catalogue:
    """Bundles of one runs folder, newest first.

    Parameters
    ----------
    runs_dir
        The folder ``hotspots run --runs`` writes to.
    """

    def __init__(self, runs_dir: Path) -> None:
        self.root = Path(runs_dir).resolve()
        self._lock = threading.Lock()
        self._stamp: tuple[int, ...] | None = None
        self._bundles: list[Bundle] = []
        self._by_id: dict[str, Bundle] = {}
        self.skipped: dict[str, str] = {}
        self._hashes: dict[tuple[str, int, int, int], str] = {}

    def bundles(self) -> list[Bundle]:
        """All valid bundles, newest first (created time, then run id)."""
        self._refresh()
        return self._bundles

    def bundle(self, run_id: str) -> Bundle | None:
        """The bundle with this run id, or None (also for unsafe ids)."""
        if not SAFE_NAME.match(run_id):
            return None
        self._refresh()
        return self._by_id.get(run_id)

    def _stamp_now(self) -> tuple[int, ...]:
        """What must change for the catalogue to be re-read.

        The runs folder's mtime (a bundle renamed in or removed), plus, for each folder skipped
        last time, its own and its manifest's: a bundle copied in by hand (``cp -r``) appears
        before its manifest does, and must be picked up once the manifest is there.
        """
        parts = []
        for path in (
            self.root,
            *(p for n in self.skipped for p in (self.root / n, self.root / n / "manifest.json")),
        ):
            try:
                parts.append(os.stat(path).st_mtime_ns)
            except OSError:
                parts.append(-1)
        return tuple(parts)

    def _refresh(self) -> None:
        stamp = self._stamp_now()
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            bundles, skipped = [], {}
            try:
                entries = sorted(os.scandir(self.root), key=lambda e: e.name)
            except OSError as exc:
                entries = []
                skipped["."] = f"cannot list the runs folder ({exc.strerror or exc})"
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                    continue
                if not SAFE_NAME.match(entry.name):
                    skipped[entry.name] = "unsafe folder name"
                    continue
                try:
                    bundles.append(read_bundle(Path(entry.path)))
                except InputError as exc:
                    skipped[entry.name] = str(exc)
            for name, reason in skipped.items():
                if self.skipped.get(name) != reason:  # say so once, not on every request
                    print(
                        f"hotspots serve: not serving {name}: {reason}", file=sys.stderr, flush=True
                    )
            bundles.sort(key=lambda b: (b.created, b.run_id), reverse=True)
            self._bundles = bundles
            self._by_id = {b.run_id: b for b in bundles}
            self.skipped = skipped
            # The stamp taken *before* scanning: anything that changed during the scan makes
            # the next request scan again (so does a changed skipped list: one extra scan).
            self._stamp = stamp

    def locate(self, run_id: str, product_name: str, file_name: str) -> Located | None:
        """Find a listed file, confined to the runs folder; None when it is not there.

        Only names the manifest lists are looked up (so ``..``, encoded separators and
        absolute paths never reach the file system), and the resolved path must still lie in
        the bundle's folder (a symlink pointing out of the runs folder is not followed).

        Raises
        ------
        IntegrityError
            The file's content differs from the manifest's SHA-256.
        """
        bundle = self.bundle(run_id)
        product = bundle.product(product_name) if bundle else None
        listed = product.file(file_name) if product else None
        if bundle is None or product is None or listed is None:
            return None
        bundle_root = self.root / bundle.run_id
        try:
            real = Path(os.path.realpath(bundle_root / product.name / listed.name, strict=True))
            real_root = Path(os.path.realpath(bundle_root, strict=True))
        except OSError:
            return None
        if (
            not real.is_relative_to(real_root)
            or not real.is_relative_to(self.root)
            or not real.is_file()
        ):
            return None
        self._check_hash(real, listed)
        return Located(bundle, product, listed, real)

    def _check_hash(self, path: Path, listed: BundleFile) -> None:
        # A bundle never changes, so a file is hashed once per (inode, size, mtime); a file
        # replaced or edited after publication is refused rather than served.
        st = path.stat()
        key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
        digest = self._hashes.get(key)
        if digest is None:
            sha = hashlib.sha256()
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    sha.update(block)
            digest = sha.hexdigest()
            self._hashes[key] = digest
        if digest != listed.sha256:
            raise IntegrityError(
                f"{path}: SHA-256 {digest} differs from the manifest's {listed.sha256}"
            )
