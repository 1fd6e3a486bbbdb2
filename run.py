"""Entry point: `python run.py [command] ...` (no command starts the kiosk)."""

from assistant.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
