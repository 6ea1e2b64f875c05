"""The exercise format: the script model, its loader and text checks, the library, and
shorter versions of a script."""
