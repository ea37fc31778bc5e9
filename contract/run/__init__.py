"""Plan the requests a contract calls for (pure), and record them: the suite's only network I/O."""
