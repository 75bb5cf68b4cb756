"""The board in the terminal (Textual). Only the commands that open it import this."""
