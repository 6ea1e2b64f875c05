"""Everything that differs between Linux, macOS and Windows, one small module a concern,
so the rest of the assistant asks for what it needs and never tests `sys.platform` itself."""
