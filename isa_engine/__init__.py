"""isa-engine's pure core: scripts, reading replies, the conversation machine, persona."""
