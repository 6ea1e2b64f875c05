"""The couple's private journal: what they did, agreed, remembered and felt, kept locally."""
