"""TMX 1.4b: a store of translation units; write, read and validate. Knows nothing of aligner."""
