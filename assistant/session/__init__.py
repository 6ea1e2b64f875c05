"""Pure session logic: the plan built for a couple and the machine that walks it."""
