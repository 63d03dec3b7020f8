"""``python -m bot`` is the ``coproduce`` command."""

from bot.cli import main

main()
