"""Report packages sent upward (上报数据包, ``.jgrpt``) and the receipts sent back: building, reading
and verifying them (package.py), receiving them (receive.py), the roll-up (rollup.py), the CLI
(command.py). No Qt."""
