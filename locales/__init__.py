"""Babel gettext catalogs: ``messages.pot`` and ``<language>/LC_MESSAGES/messages.po``.

This is a package only so that the catalogs are installed with the code; see README.md here.
"""

from pathlib import Path

CATALOG_DIR = Path(__file__).parent
DOMAIN = "messages"
