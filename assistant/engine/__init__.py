"""The engine: carries out the session machine's actions on the sample clock."""
