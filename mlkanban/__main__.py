"""Allow ``python -m mlkanban``."""

from mlkanban.cli import main

if __name__ == "__main__":
    main()
