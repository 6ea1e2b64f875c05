"""Pure session logic: exercise scripts, the plan built from them, and the session machine."""
