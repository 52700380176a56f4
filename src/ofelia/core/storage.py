"""Private files: a storage with no base URL, outside what /media/ serves in development,
read back only through an app's view that checks the role and the organisation (the
e-learning evaluation videos, the documents of learners and trainers)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """`MEDIA_ROOT/private`, read from the settings at each use (tests move MEDIA_ROOT), and
    no URL at all: `.url` raises."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(Path(settings.MEDIA_ROOT) / "private")

    @property  # type: ignore[override]
    def location(self) -> str:
        return str(Path(self.base_location).resolve())

    @property  # type: ignore[override]
    def base_url(self) -> None:
        return None


def private_storage() -> PrivateStorage:
    return PrivateStorage()
