"""The pure core: phases, statuses, rules and working days. No I/O, no UI."""
