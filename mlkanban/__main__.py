"""Allow ``python -m mlkanban``."""

from mlkanban.launch import main

if __name__ == "__main__":
    main()
