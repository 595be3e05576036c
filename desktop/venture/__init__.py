"""公益创投 / 微创投 rounds as the office works them outside the window: the reviewers' scoring
sheets (printed, filled in, read back), the 公示 list and the round's report, and the CLI."""
