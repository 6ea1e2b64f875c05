"""Voice commands: Vosk models, the grammar-restricted recogniser and the phrase matcher."""
