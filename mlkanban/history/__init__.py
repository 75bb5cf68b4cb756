"""History: what the events say about the board, its people and its projects."""
